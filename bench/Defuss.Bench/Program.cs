using Defuss.Bench;
using Defuss.Bench.Load;

// `load` (the default) runs the load benchmark against real processes; `micro` runs the BenchmarkDotNet micro benchmarks.
return args switch
{
    [MicroCommand.Name, .. var rest] => MicroCommand.Run(rest),
    [LoadCommand.Name, .. var rest] => await LoadCommand.RunAsync(rest),
    _ => await LoadCommand.RunAsync(args),
};
