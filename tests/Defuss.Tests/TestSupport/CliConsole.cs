using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Spectre.Console;
using Spectre.Console.Rendering;
using Spectre.Console.Testing;

namespace Defuss.Tests.TestSupport;

/// <summary>
/// A <see cref="TestConsole"/> the <c>defuss</c> tool can write to from its own tasks while a test waits for text,
/// pushes keys and reads whether the cursor was left visible. It emits ANSI, because the live display and the
/// status spinner only draw through the render pipeline; <see cref="Text"/> is the output with the codes taken out.
/// </summary>
internal sealed partial class CliConsole : IAnsiConsole, IDisposable
{
    private readonly TestConsole _inner = new();
    private readonly Lock _gate = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];
    private readonly KeyInput _input = new();
    private readonly RecordingCursor _cursor = new();

    public CliConsole(int width = 200)
    {
        _inner.EmitAnsiSequences = true;
        _inner.Profile.Width = width;
        _inner.Profile.Height = 50;
    }

    public Profile Profile => _inner.Profile;

    public IAnsiConsoleCursor Cursor => _cursor;

    public IAnsiConsoleInput Input => _input;

    public IExclusivityMode ExclusivityMode => _inner.ExclusivityMode;

    public RenderPipeline Pipeline => _inner.Pipeline;

    /// <summary>Everything written, without ANSI escape sequences.</summary>
    public string Text
    {
        get
        {
            lock (_gate)
            {
                return StripAnsi(_inner.Output);
            }
        }
    }

    /// <summary>Whether the last cursor call left it shown (a live display hides it while it runs).</summary>
    public bool CursorVisible => _cursor.Visible;

    public void PushKey(char key) => _input.Push(new ConsoleKeyInfo(key, (ConsoleKey)char.ToUpperInvariant(key), false, false, false));

    /// <summary>Completes once <paramref name="text"/> has been written; fails after <see cref="TestTimeouts.Default"/>.</summary>
    public Task WaitForTextAsync(string text)
    {
        lock (_gate)
        {
            if (StripAnsi(_inner.Output).Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            return seen.Task.WaitAsync(TestTimeouts.Default);
        }
    }

    public void Clear(bool home) => Locked(() => _inner.Clear(home));

    public void Write(IRenderable renderable) => Locked(() => _inner.Write(renderable));

    public void WriteAnsi(Action<AnsiWriter> action) => Locked(() => _inner.WriteAnsi(action));

    public void Dispose() => _inner.Dispose();

    private void Locked(Action write)
    {
        lock (_gate)
        {
            write();
            if (_waiters.Count == 0)
            {
                return;
            }

            var output = StripAnsi(_inner.Output);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (output.Contains(_waiters[i].Text, StringComparison.Ordinal))
                {
                    _waiters[i].Seen.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private static string StripAnsi(string text) => AnsiSequence().Replace(text, "");

    [GeneratedRegex(@"\x1B(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1B]*(\x07|\x1B\\))")]
    private static partial Regex AnsiSequence();

    private sealed class KeyInput : IAnsiConsoleInput
    {
        private readonly ConcurrentQueue<ConsoleKeyInfo> _keys = new();

        public void Push(ConsoleKeyInfo key) => _keys.Enqueue(key);

        public bool IsKeyAvailable() => !_keys.IsEmpty;

        public ConsoleKeyInfo? ReadKey(bool intercept) => _keys.TryDequeue(out var key) ? key : null;

        public Task<ConsoleKeyInfo?> ReadKeyAsync(bool intercept, CancellationToken cancellationToken) => Task.FromResult(ReadKey(intercept));
    }

    private sealed class RecordingCursor : IAnsiConsoleCursor
    {
        private volatile bool _visible = true;

        public bool Visible => _visible;

        public void Show(bool show) => _visible = show;

        public void SetPosition(int column, int line)
        {
        }

        public void Move(CursorDirection direction, int steps)
        {
        }
    }
}
