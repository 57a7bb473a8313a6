namespace Defuss.Tests.TestSupport;

/// <summary>
/// A fresh directory under the temp path, with a short name because a Unix socket path must fit in 108 bytes;
/// deleted with everything in it on dispose.
/// </summary>
internal sealed class ShortTempDirectory : IDisposable
{
    public ShortTempDirectory()
    {
        FullPath = Path.Combine(Path.GetTempPath(), "defuss-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(FullPath);
    }

    public string FullPath { get; }

    public string PathOf(string name) => Path.Combine(FullPath, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or a process the test started still holds a file: the temp folder is cleaned anyway.
        }
    }
}
