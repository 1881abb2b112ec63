using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RestoreGrpc.Server.Hosting;
using RestoreGrpc.Server.Security;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>One server with <c>Restore:Auth</c> on: API keys (one revoked, one admin, one with quotas of its own), a
/// JWT issuer with an HMAC key made here, per-tenant quotas, and the test-only <see cref="AdminProbeService"/> under the Admin policy.</summary>
public sealed class AuthServerFixture : IAsyncLifetime
{
    public const string Issuer = "https://issuer.restoregrpc.test";
    public const string Audience = "restoregrpc";

    public string KeyA { get; } = NewKey();
    public string KeyB { get; } = NewKey();
    public string KeyRevoked { get; } = NewKey();
    public string KeyAdmin { get; } = NewKey();
    public string KeyLimited { get; } = NewKey();
    public string KeyRate { get; } = NewKey();

    /// <summary>A key of tenant-a with quotas of its own (<see cref="WideKeyIndex"/>): images up to 1000 pixels.</summary>
    public string KeyWide { get; } = NewKey();

    public const int WideKeyIndex = 6;

    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(64);

    public LoopbackServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        string[] settings =
        [
            "--Restore:Auth:Enabled=true",
            .. Key(0, "alpha", KeyA, "tenant-a"),
            .. Key(1, "old", KeyRevoked, "tenant-a"), "--Restore:Auth:ApiKeys:1:Revoked=true",
            .. Key(2, "ops", KeyAdmin, "tenant-ops"), $"--Restore:Auth:ApiKeys:2:Roles:0={RestorePolicies.AdminRole}",
            .. Key(3, "beta", KeyB, "tenant-b"),
            .. Key(4, "limited", KeyLimited, "tenant-limited"),
            .. Key(5, "rate", KeyRate, "tenant-rate"),
            .. Key(WideKeyIndex, "wide", KeyWide, "tenant-a"), $"--Restore:Auth:ApiKeys:{WideKeyIndex}:Quotas:MaxImagePixels=1000",
            $"--Restore:Auth:JwtIssuer={Issuer}",
            $"--Restore:Auth:JwtAudience={Audience}",
            $"--Restore:Auth:JwtSymmetricKey={Convert.ToBase64String(SigningKey)}",
            // Every tenant: inputs of at most 100 pixels (a cheap way to see whose quota a call met).
            "--Restore:Quotas:MaxImagePixels=100",
            "--Restore:Quotas:RateWindowSeconds=1",
            // 60 × 1024 pixels per minute = one 1024-pixel unit per 1 s window: one small image, then wait.
            "--Restore:Quotas:Tenants:tenant-rate:InputPixelsPerMinute=61440",
            "--Restore:Quotas:Tenants:tenant-limited:AllowedModels:0=some-other-model",
        ];
        Server = await LoopbackServer.StartAsync(
            configure: null,
            map: app => app.MapGrpcService<AdminProbe>().RequireRestorePolicy(app.Services, RestorePolicies.Admin),
            settings);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A token signed with <paramref name="key"/> (the configured one by default).</summary>
    public string Token(
        string? tenant = "tenant-jwt",
        string[]? roles = null,
        string issuer = Issuer,
        string audience = Audience,
        TimeSpan? expiresIn = null,
        byte[]? key = null)
    {
        DateTime now = DateTime.UtcNow;
        DateTime expires = now + (expiresIn ?? TimeSpan.FromMinutes(5));
        var claims = new Dictionary<string, object> { ["sub"] = "test-subject" };
        if (tenant is not null)
        {
            claims["tenant"] = tenant;
        }

        if (roles is not null)
        {
            claims["roles"] = roles;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = expires < now ? expires.AddMinutes(-10) : now,
            NotBefore = expires < now ? expires.AddMinutes(-10) : now,
            Expires = expires,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? SigningKey), SecurityAlgorithms.HmacSha256),
        });
    }

    private static string NewKey() => "rk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private static string[] Key(int index, string id, string key, string tenant) =>
    [
        $"--Restore:Auth:ApiKeys:{index}:Id={id}",
        $"--Restore:Auth:ApiKeys:{index}:Sha256={ApiKeyHash.Compute(key)}",
        $"--Restore:Auth:ApiKeys:{index}:Tenant={tenant}",
    ];
}
