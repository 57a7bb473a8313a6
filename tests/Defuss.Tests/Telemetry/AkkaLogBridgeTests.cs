using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting.Logging;
using Defuss.Telemetry;
using Defuss.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace Defuss.Tests.Telemetry;

/// <summary>Akka's own log events, as the actor system Defuss creates writes them to Microsoft.Extensions.Logging.</summary>
public sealed class AkkaLogBridgeTests : IAsyncLifetime, IDisposable
{
    private readonly ListLoggerProvider _logs = new();
    private ActorSystem _system = null!;

    public Task InitializeAsync()
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = DEBUG
            akka.stdout-loglevel = OFF
            akka.loggers = ["{{typeof(AkkaLogBridge).FullName}}, {{typeof(AkkaLogBridge).Assembly.GetName().Name}}"]
            """);
        _system = ActorSystem.Create("bridge", BootstrapSetup.Create().WithConfig(config).And(new LoggerFactorySetup(_logs)));
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task ActorLog_ReachesTheLoggerUnderTheActorsCategory_WithAkkasMessageAlone()
    {
        var actor = _system.ActorOf(Props.Create(() => new Chatty()), "chatty");

        actor.Tell("disk sda1 is full");

        var entry = await _logs.WaitForAsync(e => e.Category == typeof(Chatty).FullName && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        entry.Message.Should().Be("disk sda1 is full, by chatty");
    }

    [Fact]
    public async Task ActorError_CarriesItsException_AtErrorLevel()
    {
        var actor = _system.ActorOf(Props.Create(() => new Chatty()), "failing");

        actor.Tell(new InvalidOperationException("broken"));

        var entry = await _logs.WaitForAsync(e => e.Category == typeof(Chatty).FullName && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
        entry.Exception.Should().BeOfType<InvalidOperationException>();
        entry.Message.Should().Be("it failed");
    }

    [Theory]
    [InlineData(Akka.Event.LogLevel.DebugLevel, Microsoft.Extensions.Logging.LogLevel.Debug)]
    [InlineData(Akka.Event.LogLevel.InfoLevel, Microsoft.Extensions.Logging.LogLevel.Information)]
    [InlineData(Akka.Event.LogLevel.WarningLevel, Microsoft.Extensions.Logging.LogLevel.Warning)]
    [InlineData(Akka.Event.LogLevel.ErrorLevel, Microsoft.Extensions.Logging.LogLevel.Error)]
    public void LevelOf_MapsEachAkkaLevel(Akka.Event.LogLevel akka, Microsoft.Extensions.Logging.LogLevel expected)
    {
        AkkaLogBridge.LevelOf(akka).Should().Be(expected);
    }

    private sealed class Chatty : ReceiveActor
    {
        public Chatty()
        {
            var log = Context.GetLogger();
            Receive<string>(text => log.Warning("{0}, by {1}", text, Self.Path.Name));
            Receive<Exception>(exception => log.Error(exception, "it failed"));
        }
    }
}
