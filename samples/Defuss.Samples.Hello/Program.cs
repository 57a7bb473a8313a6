using Defuss.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDefuss();
var app = builder.Build();
app.MapGet("/", () => "hello");
await app.RunDefussAsync();
