namespace Defuss.Samples.Showcase.Json;

internal sealed record SmallPayload(int Id, string Name, bool Active);

internal sealed record User(int Id, string Name, string Email, bool Active, string[] Tags);

internal sealed record MediumPayload(User[] Users);

internal sealed record DataRecord(int Id, string Name, long Timestamp, double Value, byte[] Data);

internal sealed record LargePayload(DataRecord[] Records);

/// <summary>
/// The documents <c>GET /json/generate</c> serializes, shaped like a JSON load-test suite's. Every value is a pure
/// function of its index, so every worker (and every run) answers byte for byte the same.
/// </summary>
internal static class Payloads
{
    public const int MediumUserCount = 100;
    public const int LargeRecordCount = 500;
    public const int LargeRecordDataBytes = 64;

    private static readonly string[] TagPool = ["admin", "beta", "staff", "trial", "vip"];

    public static SmallPayload Small { get; } = new(1, "defuss", true);

    public static MediumPayload Medium { get; } = new(Enumerable.Range(1, MediumUserCount).Select(CreateUser).ToArray());

    public static LargePayload Large { get; } = new(Enumerable.Range(1, LargeRecordCount).Select(CreateRecord).ToArray());

    private static User CreateUser(int id) => new(
        id,
        $"user {id}",
        $"user{id}@example.com",
        Active: id % 3 != 0,
        Tags: [TagPool[id % TagPool.Length], TagPool[(id + 2) % TagPool.Length]]);

    private static DataRecord CreateRecord(int id)
    {
        var data = new byte[LargeRecordDataBytes];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((id * 31) + i);
        }

        // A fixed epoch (2024-01-01T00:00:00Z) rather than the clock keeps the document deterministic.
        return new DataRecord(id, $"record {id}", 1_704_067_200_000 + (id * 1000L), id * 1.5, data);
    }
}
