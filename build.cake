// Defuss build: `dotnet tool restore && dotnet cake` runs the default target (Test).
// Targets: Clean, Build, Test (default), Bench, Pack.

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var benchFilter = Argument("filter", "*");
var solution = "./Defuss.sln";
var artifacts = Directory("./artifacts");

Task("Clean")
    .Does(() =>
{
    CleanDirectories("./src/**/bin/" + configuration);
    CleanDirectories("./src/**/obj");
    CleanDirectories("./tests/**/bin/" + configuration);
    CleanDirectories("./bench/**/bin/" + configuration);
    CleanDirectories("./samples/**/bin/" + configuration);
    CleanDirectory(artifacts);
});

Task("Build")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings
    {
        Configuration = configuration,
        MSBuildSettings = new DotNetMSBuildSettings().SetMaxCpuCount(0),
    });
});

Task("Test")
    .IsDependentOn("Build")
    .Does(() =>
{
    var results = MakeAbsolute(artifacts + Directory("test-results"));
    CleanDirectory(results);
    var settings = new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ResultsDirectory = results,
        Loggers = new[] { "trx;LogFileName=defuss.trx", "console;verbosity=normal" },
        // A hung test must fail the run, not stall CI for 90 minutes.
        ArgumentCustomization = args => args.Append("--blame-hang-timeout 5m"),
    };
    Exception failure = null;
    try
    {
        DotNetTest("./tests/Defuss.Tests/Defuss.Tests.csproj", settings);
    }
    catch (Exception ex)
    {
        failure = ex;
    }

    var totals = ReadTotals(results.CombineWithFilePath("defuss.trx"));
    // Plain text (no colour codes), so that CI can read the closing line.
    Console.WriteLine();
    Console.WriteLine(totals);
    if (failure != null)
    {
        throw new CakeException("Tests failed: " + failure.Message);
    }
});

Task("Bench")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetRun("./bench/Defuss.Bench/Defuss.Bench.csproj", new ProcessArgumentBuilder()
        .Append("--filter").AppendQuoted(benchFilter)
        .Append("--artifacts").AppendQuoted(MakeAbsolute(artifacts + Directory("bench")).FullPath),
        new DotNetRunSettings { Configuration = configuration, NoBuild = true });
});

Task("Pack")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetPack(solution, new DotNetPackSettings
    {
        Configuration = configuration,
        NoBuild = true,
        OutputDirectory = artifacts + Directory("packages"),
    });
});

RunTarget(target);

// Reads the counters of a TRX file into the plain closing line "N passed, N failed, N skipped".
string ReadTotals(FilePath trx)
{
    if (!FileExists(trx))
    {
        return "Tests: no results file was written (" + trx.FullPath + ")";
    }
    var doc = System.Xml.Linq.XDocument.Load(trx.FullPath);
    var counters = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters");
    if (counters == null)
    {
        return "Tests: the results file has no counters";
    }
    int Read(string name) => int.Parse(counters.Attribute(name)?.Value ?? "0");
    var total = Read("total");
    var passed = Read("passed");
    var failed = Read("failed") + Read("error") + Read("timeout") + Read("aborted");
    var skipped = total - passed - failed;
    return $"Tests: {passed} passed, {failed} failed, {skipped} skipped";
}
