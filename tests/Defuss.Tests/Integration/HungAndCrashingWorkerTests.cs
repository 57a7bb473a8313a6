using Defuss.Tests.TestSupport;

namespace Defuss.Tests.Integration;

/// <summary>Hung and crash-looping workers, with real processes and real signals.</summary>
public abstract class HungAndCrashingWorkerTests(string delivery)
{
    [Collection(ShowcaseCollection.Name)]
    public sealed class Handoff() : HungAndCrashingWorkerTests(Delivery.Handoff);

    [Collection(ShowcaseCollection.Name)]
    public sealed class Proxy() : HungAndCrashingWorkerTests(Delivery.Proxy);

    /// <summary>Starts the Showcase in this class's delivery mode, with <paramref name="settings"/>.</summary>
    private Task<DefussProcess> StartAsync(params string[] settings) => DefussProcess.StartAsync(Delivery.With(delivery, settings));

    /// <summary>Runs the Showcase in this class's delivery mode until it exits by itself.</summary>
    private Task<(int ExitCode, string Output)> RunToExitAsync(params string[] settings) => DefussProcess.RunToExitAsync(Delivery.With(delivery, settings));

    [Fact]
    public async Task EveryWorkerGivenUp_ThePrimaryExitsWithCode1()
    {
        var (exitCode, output) = await RunToExitAsync("--Showcase:FailWorkerStartup=true", "--Defuss:MaxRestarts=0");

        exitCode.Should().Be(1);
        output.Should().Contain("Worker 0 is given up").And.Contain("Worker 1 is given up")
            .And.Contain("Every worker (2) has been given up").And.Contain("simulated startup failure");
    }

    [Fact]
    public async Task FrozenWorker_IsReplacedWhileNewConnectionsSucceed()
    {
        await using var defuss = await StartAsync(
            "--Defuss:WorkerHeartbeatInterval=00:00:00.250", "--Defuss:WorkerHeartbeatStaleAfter=00:00:01.500", "--Defuss:WorkerKillGrace=00:00:01");
        var (frozen, _) = await defuss.ReadyPidsAsync();

        Native.Kill(frozen, Native.SIGSTOP);
        await defuss.WaitForLineAsync($@"Worker 0 \(pid {frozen}\) sent no heartbeat");

        for (var i = 0; i < 6; i++)
        {
            (await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/pid")).Should().NotBe(frozen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await defuss.WaitForLineAsync($@"Worker 0 \(pid {frozen}\) exited with signal SIGKILL");
        await defuss.WaitForLineAsync($@"Worker 0 ready: pid (?!{frozen}\b)\d+");
        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task CrashLoop_FasterThanTheBudget_GivesTheWorkerUpAndTheOtherKeepsServing()
    {
        await using var defuss = await StartAsync("--Showcase:AllowCrash=true", "--Defuss:MaxRestarts=1", "--Defuss:MaxRestartsWindow=00:05:00");
        await defuss.ReadyPidsAsync();

        var gaveUp = defuss.WaitForLineAsync(@"Worker (\d) is given up: it exited more than 1 times", TimeSpan.FromSeconds(60));
        for (var crashes = 1; crashes <= 3; crashes++)
        {
            await CrashOneWorkerAsync(defuss);
            var respawned = defuss.WaitForLineCountAsync(@"Worker \d ready: pid", 2 + crashes, TimeSpan.FromSeconds(60));
            if (await Task.WhenAny(gaveUp, respawned) == gaveUp)
            {
                break;
            }
        }

        var givenUp = (await gaveUp).Groups[1].Value;
        defuss.Output.Should().MatchRegex(@"is given up(.|\n)*POST /crash, process \d+ exits with code 13");
        var survivor = givenUp == "0" ? "1" : "0";
        for (var i = 0; i < 6; i++)
        {
            string body;
            try
            {
                body = await HttpTestClient.GetOnNewConnectionAsync(defuss.BaseAddress, "/health");
            }
            catch (HttpRequestException exception)
            {
                throw new InvalidOperationException($"The surviving worker {survivor} did not answer: {exception.Message}{Environment.NewLine}{defuss.Output}", exception);
            }

            using var health = System.Text.Json.JsonDocument.Parse(body);
            health.RootElement.GetProperty("worker").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be(survivor);
        }

        (await defuss.SignalAndWaitAsync(Native.SIGTERM, TimeSpan.FromSeconds(30))).Should().Be(0);
        await defuss.WaitForNoWorkersAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Sends one <c>POST /crash</c> on a new connection; the worker that takes it exits while answering. A raw socket,
    /// because an HTTP client may send the request again on a new connection when the first one closes unanswered.
    /// </summary>
    private static async Task CrashOneWorkerAsync(DefussProcess defuss)
    {
        using var socket = await HttpTestClient.ConnectAsync(defuss.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes("POST /crash HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n"), System.Net.Sockets.SocketFlags.None);
        try
        {
            await HttpTestClient.ReadToEndAsync(socket);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A reset: the worker is gone.
        }
    }
}
