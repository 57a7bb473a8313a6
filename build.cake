// Defuss build: `dotnet tool restore && dotnet cake` runs the default target (Test).
// Targets: Clean, Build, BrowserDeps, WrkDeps, Test (default), Bench, Pack.

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
// --micro (or a --filter) makes the Bench target run the BenchmarkDotNet micro benchmarks instead of the load benchmark.
var benchMicro = HasArgument("micro") || HasArgument("filter");
var benchFilter = Argument("filter", "*");
// The load benchmark's options that the Bench target passes on as they are (bench/Defuss.Bench/README.md).
var loadOptions = new[] { "scenarios", "topologies", "duration", "connections", "workers", "rounds", "warmup", "threads", "out" };
var solution = "./Defuss.sln";
var artifacts = Directory("./artifacts");
// Where Debian's chromium package puts the browser that the status page's tests drive.
const string DebianChromium = "/usr/bin/chromium";
// Where Debian's wrk package puts the load generator of the load benchmark and of its smoke test.
const string DebianWrk = "/usr/bin/wrk";

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

// The status page's tests drive Debian's Chromium headless (Playwright's own browser download needs the internet).
// A fresh machine gets it here; where it cannot, the tests fail and say how to install it: they never skip.
Task("BrowserDeps")
    .Does(() =>
{
    var chosen = EnvironmentVariable("DEFUSS_CHROMIUM");
    if (!string.IsNullOrEmpty(chosen))
    {
        if (FileExists(chosen))
        {
            Information("Chromium for the browser tests (DEFUSS_CHROMIUM): " + chosen);
        }
        else
        {
            Warning("DEFUSS_CHROMIUM names " + chosen + ", where there is no file, so the browser tests will fail.");
        }

        return;
    }

    if (FileExists(DebianChromium))
    {
        Information("Chromium for the browser tests: " + DebianChromium);
        return;
    }

    if (!IsRunningOnLinux() || System.Environment.UserName != "root")
    {
        Warning("No Chromium at " + DebianChromium + ", and this is not Linux as root, so the browser tests will fail. " +
            "Install it first (`sudo apt-get install -y chromium` on Debian), or set DEFUSS_CHROMIUM to a Chromium's path.");
        return;
    }

    Information("No Chromium at " + DebianChromium + ": installing Debian's chromium package for the browser tests.");
    // A stale or missing package list is the usual reason an install fails on a fresh machine: refresh it, then retry.
    if (AptGet("install -y chromium") != 0 && (AptGet("update") != 0 || AptGet("install -y chromium") != 0))
    {
        Warning("`apt-get install -y chromium` failed, so the browser tests will fail; install it by hand and run again.");
    }
});

// The load benchmark drives its HTTP scenarios with wrk, and its smoke test runs it: a fresh machine gets it here, as it
// gets Chromium. Where it cannot, the smoke test fails and the benchmark stops, both saying how to install it.
Task("WrkDeps")
    .Does(() =>
{
    if (FileExists(DebianWrk) || IsOnPath("wrk"))
    {
        return;
    }

    if (!IsRunningOnLinux() || System.Environment.UserName != "root")
    {
        Warning("wrk is not installed, and this is not Linux as root, so the load benchmark and its smoke test will fail. " +
            "Install it first (`sudo apt-get install -y wrk` on Debian).");
        return;
    }

    Information("wrk is not installed: installing Debian's wrk package for the load benchmark.");
    if (AptGet("install -y wrk") != 0 && (AptGet("update") != 0 || AptGet("install -y wrk") != 0))
    {
        Warning("`apt-get install -y wrk` failed, so the load benchmark and its smoke test will fail; install it by hand and run again.");
    }
});

Task("Test")
    .IsDependentOn("Build")
    .IsDependentOn("BrowserDeps")
    .IsDependentOn("WrkDeps")
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

// The load benchmark by default (every scenario on every topology, reports in bench/results), with the options named in
// loadOptions passed on: dotnet cake --target=Bench --scenarios=get,json-echo-small --topologies=plain,handoff --duration=10.
// With --micro (or --filter) the BenchmarkDotNet micro benchmarks instead, their reports in artifacts/bench.
Task("Bench")
    .IsDependentOn("Build")
    .IsDependentOn("WrkDeps")
    .Does(() =>
{
    var arguments = new ProcessArgumentBuilder();
    if (benchMicro)
    {
        arguments.Append("micro")
            .Append("--filter").AppendQuoted(benchFilter)
            .Append("--artifacts").AppendQuoted(MakeAbsolute(artifacts + Directory("bench")).FullPath);
    }
    else
    {
        arguments.Append("load");
        foreach (var name in loadOptions.Where(HasArgument))
        {
            arguments.Append("--" + name).AppendQuoted(Argument<string>(name));
        }

        if (HasArgument("skip-lifecycle"))
        {
            arguments.Append("--skip-lifecycle");
        }
    }

    DotNetRun("./bench/Defuss.Bench/Defuss.Bench.csproj", arguments, new DotNetRunSettings { Configuration = configuration, NoBuild = true });
});

// The packages an app needs (Defuss.Host, which brings Defuss.Actors and Defuss.Worker) and the defuss tool
// (Defuss.Cli), with their symbol packages: every project under src ships. Packed one by one rather than through the
// solution, which would also ask the samples, tests and benchmarks (none of them a package) to pack.
Task("Pack")
    .IsDependentOn("Build")
    .Does(() =>
{
    var packages = artifacts + Directory("packages");
    // No package of an earlier build left beside the new ones.
    CleanDirectory(packages);
    foreach (var project in GetFiles("./src/*/*.csproj"))
    {
        DotNetPack(project.FullPath, new DotNetPackSettings
        {
            Configuration = configuration,
            NoBuild = true,
            NoRestore = true,
            OutputDirectory = packages,
        });
    }

    foreach (var package in GetFiles(packages.Path.FullPath + "/*.nupkg"))
    {
        Information("Packed " + package.GetFilename());
    }
});

RunTarget(target);

// Whether an executable called name is in one of PATH's directories.
bool IsOnPath(string name)
{
    return (EnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(directory => System.IO.File.Exists(System.IO.Path.Combine(directory, name)));
}

// Runs apt-get without a prompt (no terminal in CI), and returns its exit code.
int AptGet(string arguments)
{
    return StartProcess("apt-get", new ProcessSettings
    {
        Arguments = arguments,
        EnvironmentVariables = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" },
    });
}

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
