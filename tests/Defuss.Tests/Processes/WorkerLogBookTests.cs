using Defuss.Processes;

namespace Defuss.Tests.Processes;

public sealed class WorkerLogBookTests
{
    private readonly WorkerLogBook _book = new();

    [Fact]
    public void Tail_OfOneWorker_GivesItsLastLinesOldestFirst()
    {
        for (var i = 0; i < 5; i++)
        {
            _book.Add(0, 100, "stdout", "zero " + i);
            _book.Add(1, 200, "stderr", "one " + i);
        }

        _book.Tail(1, 2).Select(l => (l.Worker, l.Pid, l.Stream, l.Text)).Should().Equal((1, 200, "stderr", "one 3"), (1, 200, "stderr", "one 4"));
        _book.Tail(null, 1).Select(l => l.Text).Should().Equal("zero 4", "one 4");
    }

    [Fact]
    public void Add_MoreLinesThanAWorkerKeeps_DropsItsOldestOnly()
    {
        _book.Add(1, 200, "stdout", "other worker");
        for (var i = 0; i < WorkerLogBook.LinesPerWorker + 10; i++)
        {
            _book.Add(0, 100, "stdout", "line " + i);
        }

        var kept = _book.Tail(0, int.MaxValue);
        kept.Should().HaveCount(WorkerLogBook.LinesPerWorker);
        kept[0].Text.Should().Be("line 10");
        _book.Tail(1, 10).Should().ContainSingle();
    }

    [Fact]
    public void Add_HugeLines_AreBoundedInBytesPerWorker()
    {
        var line = new string('x', 10_000);
        for (var i = 0; i < 100; i++)
        {
            _book.Add(0, 100, "stdout", line);
        }

        var kept = _book.Tail(0, int.MaxValue);
        (kept.Count * line.Length * sizeof(char)).Should().BeLessThanOrEqualTo(WorkerLogBook.BytesPerWorker);
        kept.Should().NotBeEmpty();
    }

    [Fact]
    public async Task FollowAsync_GivesTheTailThenNewLines_WithNoneLostOrRepeated()
    {
        _book.Add(0, 100, "stdout", "before 1");
        _book.Add(0, 100, "stdout", "before 2");
        _book.Add(1, 200, "stdout", "not followed");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<string>();
        var enumerator = _book.FollowAsync(0, 1, stop.Token).GetAsyncEnumerator(stop.Token);
        try
        {
            (await enumerator.MoveNextAsync()).Should().BeTrue();
            seen.Add(enumerator.Current.Text);
            _book.Followers.Should().Be(1);
            _book.Add(1, 200, "stdout", "still not followed");
            _book.Add(0, 100, "stdout", "after");
            (await enumerator.MoveNextAsync()).Should().BeTrue();
            seen.Add(enumerator.Current.Text);
        }
        finally
        {
            await enumerator.DisposeAsync();
        }

        seen.Should().Equal("before 2", "after");
        _book.Followers.Should().Be(0, "a follower that stops is forgotten");
    }

    [Fact]
    public async Task FollowAsync_AFollowerThatFallsBehind_LosesItsOldestLinesAndNeverBlocksTheWriter()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var enumerator = _book.FollowAsync(null, 0, stop.Token).GetAsyncEnumerator(stop.Token);
        var first = enumerator.MoveNextAsync();
        _book.Add(0, 1, "stdout", "first");
        (await first).Should().BeTrue();
        for (var i = 0; i < WorkerLogBook.FollowerBuffer * 2; i++)
        {
            _book.Add(0, 1, "stdout", "flood " + i);
        }

        (await enumerator.MoveNextAsync()).Should().BeTrue();
        enumerator.Current.Text.Should().Be("flood " + WorkerLogBook.FollowerBuffer);
        await enumerator.DisposeAsync();
    }
}
