using Akka.Actor;
using Akka.Hosting;
using Defuss.Hosting;
using Defuss.Samples.Akka;

// An Akka.Hosting app, on every core. The same program runs as the primary and as every worker.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddDefuss();
builder.Services.AddSingleton<TenantPlacement>();
builder.Services.AddAkka("app", (akka, _) => akka
    // Akka's own log lines go to the app's logging (warnings and errors only: its shutdown progress is noise here).
    .ConfigureLoggers(loggers =>
    {
        loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
        loggers.ClearLoggers();
        loggers.AddLoggerFactory();
    })
    // In the primary: Defuss's supervisor and router run in this actor system, and the router is the app's own,
    // created by Akka's dependency injection (it takes TenantPlacement). In a worker, this does nothing.
    .WithDefuss(defuss => defuss.UseRouter<TenantRouter>())
    // The app's own actor, in every worker and never in the primary, which serves no request.
    .WithWorkerActors((system, registry, resolver) => registry.Register<Greeter>(system.ActorOf(resolver.Props<Greeter>(), "greeter"))));

var app = builder.Build();
app.MapGet("/", () => "hello");
app.MapGet("/greet/{name}", async (string name, IRequiredActor<Greeter> greeter, CancellationToken cancellationToken) =>
    await greeter.ActorRef.Ask<Greeting>(new Greet(name), TimeSpan.FromSeconds(5), cancellationToken));
await app.RunDefussAsync();
