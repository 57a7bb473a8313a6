extern alias cli;

using cli::Defuss.Cli.Admin;
using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Cli.Admin;

public sealed class PrimaryFinderTests
{
    [Fact]
    public void Find_MixedFiles_AnswersOnlyPrimarySocketsByPid()
    {
        using var directory = new ShortTempDirectory();
        foreach (var name in new[] { "primary-20.sock", "primary-3.sock", "primary-x.sock", "primary-4.sock.bak", "other.sock" })
        {
            File.WriteAllText(directory.PathOf(name), "");
        }

        var found = new PrimaryFinder(directory.FullPath).Find();

        found.Should().Equal(new PrimarySocket(3, directory.PathOf("primary-3.sock")), new PrimarySocket(20, directory.PathOf("primary-20.sock")));
    }

    [Fact]
    public void Find_MissingDirectory_AnswersNone()
    {
        using var directory = new ShortTempDirectory();

        var found = new PrimaryFinder(directory.PathOf("absent")).Find();

        found.Should().BeEmpty();
    }
}
