using Defuss.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDefuss();
var app = builder.Build();
app.MapGet("/", () => "hello");

// An unhandled exception, to see how a worker's multi-line log entry reaches the primary's output: whole, and labelled.
app.MapGet("/fail", string () => throw new InvalidOperationException("Hello: /fail always fails"));
await app.RunDefussAsync();
