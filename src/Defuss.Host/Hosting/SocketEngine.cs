namespace Defuss.Hosting;

/// <summary>
/// The primary runs nothing but Defuss's own socket code, so it lets socket completions run on the socket engine's
/// threads instead of hopping to the thread pool: measured here, that is the largest single gain of a proxy on .NET
/// (see the README's performance section). Workers keep the default, because the app's code runs there.
/// </summary>
internal static class SocketEngine
{
    /// <summary>The runtime's switch, read once when the first socket is created.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on in this process (unless the user chose) and off for the workers (unless the user chose).</summary>
    public static void PreferInlineCompletions(DefussOptions options)
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
            options.WorkerEnv.TryAdd(InlineCompletionsVariable, "0");
        }
    }
}
