using RestoreGrpc.Server.Security;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>API keys are stored as SHA-256 hex and matched in constant time against every entry.</summary>
public sealed class ApiKeyHashTests
{
    [Fact]
    public void The_digest_is_what_sha256sum_prints()
    {
        // printf %s abc | sha256sum
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyHash.Compute("abc"));
    }

    [Fact]
    public void A_key_matches_its_digest_in_either_case_and_nothing_else()
    {
        byte[] digest = Convert.FromHexString(ApiKeyHash.Compute("k-1"));
        string stored = ApiKeyHash.Compute("k-1");
        Assert.True(ApiKeyHash.Matches(digest, stored));
        Assert.True(ApiKeyHash.Matches(digest, stored.ToUpperInvariant()));
        Assert.False(ApiKeyHash.Matches(digest, ApiKeyHash.Compute("k-2")));
        Assert.False(ApiKeyHash.Matches(digest, stored[..62]));
        Assert.False(ApiKeyHash.Matches(digest, "zz" + stored[2..]));
        Assert.False(ApiKeyHash.Matches(digest, string.Empty));
    }

    [Fact]
    public void Find_returns_the_matching_entry_or_none()
    {
        var entries = new List<ApiKeyEntry>
        {
            new() { Id = "a", Sha256 = ApiKeyHash.Compute("key-a"), Tenant = "ta" },
            new() { Id = "b", Sha256 = ApiKeyHash.Compute("key-b").ToUpperInvariant(), Tenant = "tb" },
        };
        Assert.Equal("b", ApiKeyHash.Find(entries, "key-b")?.Id);
        Assert.Equal("a", ApiKeyHash.Find(entries, "key-a")?.Id);
        Assert.Null(ApiKeyHash.Find(entries, "key-c"));
        Assert.Null(ApiKeyHash.Find(entries, string.Empty));
        Assert.Null(ApiKeyHash.Find([], "key-a"));
    }
}
