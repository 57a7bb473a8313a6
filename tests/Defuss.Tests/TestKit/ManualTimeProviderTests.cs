namespace Defuss.Tests.TestKitTests;

using Defuss.Actors.TestKit;
using Defuss.Tests.TestSupport;

public sealed class ManualTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(Start);
    private readonly List<(string Name, DateTimeOffset Now)> _fired = [];

    [Fact]
    public void GetUtcNow_DefaultStart_Is2026()
    {
        var clock = new ManualTimeProvider();

        clock.GetUtcNow().Should().Be(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        clock.LocalTimeZone.Should().Be(TimeZoneInfo.Utc);
    }

    [Fact]
    public void Advance_Delta_MovesTheClockByExactlyThatMuch()
    {
        _clock.Advance(TimeSpan.FromMinutes(3));
        _clock.Advance(TimeSpan.FromTicks(1));

        _clock.GetUtcNow().Should().Be(Start + TimeSpan.FromMinutes(3) + TimeSpan.FromTicks(1));
    }

    [Fact]
    public void Advance_NegativeDelta_ThrowsArgumentOutOfRangeException()
    {
        var act = () => _clock.Advance(TimeSpan.FromTicks(-1));

        act.Should().Throw<ArgumentOutOfRangeException>();
        _clock.GetUtcNow().Should().Be(Start);
    }

    [Fact]
    public void GetElapsedTime_AcrossAnAdvance_IsTheAdvance()
    {
        var before = _clock.GetTimestamp();

        _clock.Advance(TimeSpan.FromMilliseconds(1500));

        _clock.GetElapsedTime(before).Should().Be(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public void CreateTimer_WithoutAdvance_NothingFires()
    {
        using var now = Arm("now", TimeSpan.Zero);
        using var soon = Arm("soon", TimeSpan.FromTicks(1));

        _fired.Should().BeEmpty();
        _clock.ActiveTimers.Should().Be(2);
        _clock.Advance(TimeSpan.Zero);
        _fired.Should().Equal(("now", Start));
    }

    [Fact]
    public void Advance_OneTickBeforeTheDueTime_DoesNotFireButReachingItDoes()
    {
        using var timer = Arm("t", TimeSpan.FromSeconds(5));

        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        _fired.Should().BeEmpty();
        _clock.Advance(TimeSpan.FromTicks(1));

        _fired.Should().Equal(("t", Start + TimeSpan.FromSeconds(5)));
        _clock.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public void Advance_SeveralTimersDue_FiresThemInDueTimeOrderEachSeeingItsOwnDueTime()
    {
        using var third = Arm("3s", TimeSpan.FromSeconds(3));
        using var first = Arm("1s", TimeSpan.FromSeconds(1));
        using var second = Arm("2s", TimeSpan.FromSeconds(2));

        _clock.Advance(TimeSpan.FromSeconds(10));

        _fired.Should().Equal(
            ("1s", Start + TimeSpan.FromSeconds(1)),
            ("2s", Start + TimeSpan.FromSeconds(2)),
            ("3s", Start + TimeSpan.FromSeconds(3)));
        _clock.GetUtcNow().Should().Be(Start + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Advance_TimersWithTheSameDueTime_FireInArmingOrder()
    {
        using var b = Arm("b", TimeSpan.FromSeconds(1));
        using var a = Arm("a", TimeSpan.FromSeconds(1));
        using var c = Arm("c", TimeSpan.FromSeconds(1));

        _clock.Advance(TimeSpan.FromSeconds(1));

        _fired.Select(f => f.Name).Should().Equal("b", "a", "c");
    }

    [Fact]
    public void Advance_PeriodicTimer_FiresOncePerPeriodCrossed()
    {
        using var timer = Arm("p", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        _clock.Advance(TimeSpan.FromSeconds(3.5));
        _fired.Select(f => f.Now).Should().Equal(Start.AddSeconds(1), Start.AddSeconds(2), Start.AddSeconds(3));
        _clock.Advance(TimeSpan.FromSeconds(0.5));

        _fired.Select(f => f.Now).Should().Equal(Start.AddSeconds(1), Start.AddSeconds(2), Start.AddSeconds(3), Start.AddSeconds(4));
        _clock.ActiveTimers.Should().Be(1);
    }

    [Fact]
    public void Change_NewDueTime_ReschedulesFromNow()
    {
        using var timer = Arm("t", TimeSpan.FromSeconds(5));
        _clock.Advance(TimeSpan.FromSeconds(1));

        timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan).Should().BeTrue();
        _clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        _fired.Should().BeEmpty();
        _clock.Advance(TimeSpan.FromTicks(1));

        _fired.Should().Equal(("t", Start + TimeSpan.FromSeconds(11)));
    }

    [Fact]
    public void Change_InfiniteDueTime_Disarms()
    {
        using var timer = Arm("t", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _clock.Advance(TimeSpan.FromMinutes(1));

        _fired.Should().BeEmpty();
        _clock.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public void Dispose_BeforeTheDueTime_NeverFires()
    {
        var timer = Arm("t", TimeSpan.FromSeconds(1));

        timer.Dispose();
        _clock.Advance(TimeSpan.FromMinutes(1));

        _fired.Should().BeEmpty();
        _clock.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public async Task DisposeAsync_PeriodicTimer_StopsIt()
    {
        var timer = Arm("p", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _clock.Advance(TimeSpan.FromSeconds(1));

        await timer.DisposeAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));

        _fired.Should().ContainSingle();
    }

    [Fact]
    public void Change_AfterDispose_ReturnsFalseAndNeverFires()
    {
        var timer = Arm("t", TimeSpan.FromSeconds(1));
        timer.Dispose();

        var changed = timer.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        _clock.Advance(TimeSpan.FromMinutes(1));

        changed.Should().BeFalse();
        _fired.Should().BeEmpty();
        _clock.ActiveTimers.Should().Be(0);
    }

    [Fact]
    public void Advance_CallbackDisposesALaterDueTimer_TheLaterOneDoesNotFire()
    {
        ITimer? later = null;
        using var first = _clock.CreateTimer(_ => later!.Dispose(), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        later = Arm("later", TimeSpan.FromSeconds(2));

        _clock.Advance(TimeSpan.FromSeconds(5));

        _fired.Should().BeEmpty();
    }

    [Fact]
    public void Advance_CallbackArmsATimerDueWithinTheSameAdvance_ItFiresAtItsDueTime()
    {
        using var first = _clock.CreateTimer(
            _ => Arm("armed in callback", TimeSpan.FromSeconds(1)),
            null,
            TimeSpan.FromSeconds(1),
            Timeout.InfiniteTimeSpan);

        _clock.Advance(TimeSpan.FromSeconds(5));

        _fired.Should().Equal(("armed in callback", Start + TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task WaitAsync_OnThisClock_TimesOutOnlyWhenAdvanced()
    {
        var never = new TaskCompletionSource();
        var wait = never.Task.WaitAsync(TimeSpan.FromSeconds(30), _clock);

        _clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        wait.IsCompleted.Should().BeFalse();
        _clock.Advance(TimeSpan.FromTicks(1));

        var act = () => wait.WaitAsync(TestTimeouts.Default);
        await act.Should().ThrowAsync<TimeoutException>();
    }

    private ITimer Arm(string name, TimeSpan dueTime, TimeSpan? period = null) =>
        _clock.CreateTimer(_ => _fired.Add((name, _clock.GetUtcNow())), null, dueTime, period ?? Timeout.InfiniteTimeSpan);
}
