using BenchmarkDotNet.Running;

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args).ToList();

// BenchmarkDotNet reports a benchmark that failed to build or run, or a filter that matched nothing, and still exits 0;
// the exit code is what fails the Bench target.
var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
var matchedNothing = summaries.Count == 0 && args.Contains("--filter");
return failed || matchedNothing ? 1 : 0;
