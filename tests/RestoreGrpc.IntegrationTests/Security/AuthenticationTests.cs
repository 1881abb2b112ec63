using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.TestSupport;
using StatusCode = Grpc.Core.StatusCode;

namespace RestoreGrpc.IntegrationTests.Security;

/// <summary>Restore:Auth on a real server: API keys, JWT bearer tokens, the policies, per-tenant model lists and
/// quotas, the tenant taken from the principal (never from x-restore-tenant), and stream jobs owned by their tenant.</summary>
public sealed class AuthenticationTests(AuthServerFixture fixture) : IClassFixture<AuthServerFixture>, IDisposable
{
    private const string LanczosX4 = "builtin-lanczos-x4";

    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Server.Address);

    private RestoreService.RestoreServiceClient Raw => new(_channel);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _channel.Dispose();

    [Fact]
    public async Task Missing_unknown_and_revoked_keys_and_bad_tokens_are_unauthenticated_with_one_message()
    {
        var refused = new List<(string Why, RpcException Error)>();
        foreach ((string why, Metadata credentials) in new[]
        {
            ("none", new Metadata()),
            ("unknown key", ApiKey("rk_not-a-key")),
            ("revoked key", ApiKey(fixture.KeyRevoked)),
            ("expired token", Bearer(fixture.Token(expiresIn: TimeSpan.FromMinutes(-10)))),
            ("wrong audience", Bearer(fixture.Token(audience: "someone-else"))),
            ("wrong issuer", Bearer(fixture.Token(issuer: "https://evil.test"))),
            ("bad signature", Bearer(fixture.Token(key: System.Security.Cryptography.RandomNumberGenerator.GetBytes(64)))),
            ("not a token", Bearer("abc.def.ghi")),
        })
        {
            refused.Add((why, await Assert.ThrowsAsync<RpcException>(() => Raw.ListModelsAsync(new ListModelsRequest(), credentials, cancellationToken: Ct).ResponseAsync)));
        }

        foreach ((string why, RpcException error) in refused)
        {
            Assert.True(error.StatusCode == StatusCode.Unauthenticated, $"{why}: {error.Status}");
        }

        // Nothing says which keys exist, or what was wrong with a credential.
        Assert.Single(refused.Select(r => r.Error.Status.Detail).Distinct());
        Assert.DoesNotContain("revoked", refused[0].Error.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_valid_key_or_token_is_served()
    {
        Assert.NotEmpty((await Raw.ListModelsAsync(new ListModelsRequest(), ApiKey(fixture.KeyA), cancellationToken: Ct)).Models);
        Assert.NotEmpty((await Raw.ListModelsAsync(new ListModelsRequest(), Bearer(fixture.Token()), cancellationToken: Ct)).Models);
        RestoreResponse restored = await Raw.RestoreAsync(Small(8), ApiKey(fixture.KeyA), cancellationToken: Ct);
        Assert.Equal(32, restored.Output.Width);
    }

    [Fact]
    public async Task The_tenant_comes_from_the_principal_and_the_self_declared_header_is_ignored()
    {
        // 16×16 is over every tenant's 100-pixel cap: the QuotaFailure names whose quota the call met.
        Metadata keyWithHeader = ApiKey(fixture.KeyA);
        keyWithHeader.Add("x-restore-tenant", "tenant-b");
        Assert.Equal("tenant-a", await QuotaSubjectAsync(keyWithHeader));
        Assert.Equal("tenant-b", await QuotaSubjectAsync(ApiKey(fixture.KeyB)));
        Assert.Equal("tenant-jwt", await QuotaSubjectAsync(Bearer(fixture.Token())));
    }

    [Fact]
    public async Task A_token_without_a_tenant_is_permission_denied()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Raw.ListModelsAsync(new ListModelsRequest(), Bearer(fixture.Token(tenant: null)), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task The_admin_policy_needs_the_admin_role()
    {
        var invoker = _channel.CreateCallInvoker();
        Task<Empty> Ping(Metadata credentials) => invoker.AsyncUnaryCall(AdminProbeService.PingMethod, null, new CallOptions(credentials, cancellationToken: Ct), new Empty()).ResponseAsync;

        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => Ping(new Metadata()))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => Ping(ApiKey(fixture.KeyA)))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => Ping(Bearer(fixture.Token(roles: ["viewer"]))))).StatusCode);
        await Ping(ApiKey(fixture.KeyAdmin));
        await Ping(Bearer(fixture.Token(roles: ["viewer", "admin"])));
    }

    [Fact]
    public async Task Model_administration_needs_the_admin_role()
    {
        var admin = new ModelAdminService.ModelAdminServiceClient(_channel);
        var request = new SetDefaultModelRequest { Name = LanczosX4 };
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => admin.SetDefaultModelAsync(request, cancellationToken: Ct).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => admin.SetDefaultModelAsync(request, ApiKey(fixture.KeyA), cancellationToken: Ct).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => admin.ReloadModelAsync(new ReloadModelRequest { Name = LanczosX4 }, Bearer(fixture.Token(roles: ["viewer"])), cancellationToken: Ct).ResponseAsync)).StatusCode);
        SetDefaultModelResponse switched = await admin.SetDefaultModelAsync(request, ApiKey(fixture.KeyAdmin), cancellationToken: Ct);
        Assert.Equal(LanczosX4, switched.DefaultModel);
    }

    [Fact]
    public async Task A_model_outside_the_tenants_list_is_permission_denied_and_not_listed()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Raw.RestoreAsync(Small(8), ApiKey(fixture.KeyLimited), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains(LanczosX4, error.Status.Detail, StringComparison.Ordinal);
        ListModelsResponse listed = await Raw.ListModelsAsync(new ListModelsRequest(), ApiKey(fixture.KeyLimited), cancellationToken: Ct);
        Assert.DoesNotContain(listed.Models, m => m.Name == LanczosX4);
        Assert.Contains((await Raw.ListModelsAsync(new ListModelsRequest(), ApiKey(fixture.KeyA), cancellationToken: Ct)).Models, m => m.Name == LanczosX4);
    }

    [Fact]
    public async Task Health_stays_anonymous()
    {
        HealthCheckResponse health = await new Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest(), cancellationToken: Ct);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
    }

    [Fact]
    public async Task A_pixel_rate_quota_refuses_with_quota_failure_and_retry_info_then_recovers()
    {
        Metadata rate = ApiKey(fixture.KeyRate);
        RpcException? refused = null;
        for (int i = 0; i < 3 && refused is null; i++)
        {
            try
            {
                await Raw.RestoreAsync(Small(8), rate, cancellationToken: Ct);
            }
            catch (RpcException e)
            {
                refused = e;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Google.Rpc.Status status = refused.GetRpcStatus()!;
        QuotaFailure.Types.Violation violation = Assert.Single(status.GetDetail<QuotaFailure>()!.Violations);
        Assert.Equal("tenant-rate", violation.Subject);
        Assert.Contains("Restore:Quotas:InputPixelsPerMinute", violation.Description, StringComparison.Ordinal);
        TimeSpan delay = status.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan();
        Assert.InRange(delay, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(2));

        // After the window has moved on, the same call is served (a few tries: the window slides by segments).
        for (int attempt = 1; ; attempt++)
        {
            await Task.Delay(delay, Ct);
            try
            {
                await Raw.RestoreAsync(Small(8), rate, cancellationToken: Ct);
                break;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted && attempt < 20)
            {
                delay = e.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan() ?? TimeSpan.FromMilliseconds(200);
            }
        }
    }

    [Fact]
    public async Task Another_tenant_resuming_a_job_gets_not_found_like_an_unknown_id_and_the_owner_resumes()
    {
        string jobId;
        using (var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            using var opened = Raw.RestoreStream(ApiKey(fixture.KeyA), cancellationToken: cancel.Token);
            await opened.RequestStream.WriteAsync(new RestoreStreamRequest { Header = new StreamHeader { Options = new RestoreOptions { Model = LanczosX4 }, Width = 8, Height = 8 } }, Ct);
            Assert.True(await opened.ResponseStream.MoveNext(Ct));
            jobId = opened.ResponseStream.Current.Plan.JobId;
            Assert.True(jobId.Length >= 32, "job ids carry at least 128 random bits");
            await cancel.CancelAsync();
        }

        RpcException foreign = await ResumeFailsAsync(ApiKey(fixture.KeyB), jobId);
        RpcException unknown = await ResumeFailsAsync(ApiKey(fixture.KeyB), new string('0', jobId.Length));
        Assert.Equal(StatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(unknown.Status.Detail.Length, foreign.Status.Detail.Length);

        // The owner takes it back (over its own cancelled stream, if the server has not noticed that yet).
        using var resumed = Raw.RestoreStream(ApiKey(fixture.KeyA), cancellationToken: Ct);
        await resumed.RequestStream.WriteAsync(new RestoreStreamRequest { Header = new StreamHeader { JobId = jobId } }, Ct);
        Assert.True(await resumed.ResponseStream.MoveNext(Ct));
        Assert.Equal(jobId, resumed.ResponseStream.Current.Plan.JobId);
    }

    [Fact]
    public async Task An_api_keys_own_quotas_override_its_tenants_and_the_refusal_names_the_keys_setting()
    {
        // tenant-a's cap is every tenant's 100 pixels; its key "wide" sets 1000 of its own.
        RpcException tenantCap = await Assert.ThrowsAsync<RpcException>(() => Raw.RestoreAsync(Small(16), ApiKey(fixture.KeyA), cancellationToken: Ct).ResponseAsync);
        Assert.Contains("Restore:Quotas:MaxImagePixels", Assert.Single(tenantCap.GetRpcStatus()!.GetDetail<QuotaFailure>()!.Violations).Description, StringComparison.Ordinal);

        RestoreResponse wide = await Raw.RestoreAsync(Small(16), ApiKey(fixture.KeyWide), cancellationToken: Ct);
        Assert.Equal(64, wide.Output.Width);

        RpcException keyCap = await Assert.ThrowsAsync<RpcException>(() => Raw.RestoreAsync(Small(40), ApiKey(fixture.KeyWide), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, keyCap.StatusCode);
        QuotaFailure.Types.Violation violation = Assert.Single(keyCap.GetRpcStatus()!.GetDetail<QuotaFailure>()!.Violations);
        Assert.Equal("tenant-a", violation.Subject);
        Assert.Contains($"Restore:Auth:ApiKeys:{AuthServerFixture.WideKeyIndex}:Quotas:MaxImagePixels", violation.Description, StringComparison.Ordinal);
        Assert.Contains("API key 'wide'", keyCap.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectFaces_naming_a_detector_outside_the_callers_models_is_permission_denied()
    {
        var request = new DetectFacesRequest { Image = Small(8).Image, Detector = "yunet-not-on-the-list" };
        RpcException limited = await Assert.ThrowsAsync<RpcException>(() => Raw.DetectFacesAsync(request, ApiKey(fixture.KeyLimited), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, limited.StatusCode);
        Assert.Contains("yunet-not-on-the-list", limited.Status.Detail, StringComparison.Ordinal);

        // A caller without a list gets past the check (to the catalog, which does not know the detector).
        RpcException open = await Assert.ThrowsAsync<RpcException>(() => Raw.DetectFacesAsync(request, ApiKey(fixture.KeyA), cancellationToken: Ct).ResponseAsync);
        Assert.NotEqual(StatusCode.PermissionDenied, open.StatusCode);
    }

    [Fact]
    public async Task Refused_credentials_are_counted_and_timed_in_the_rpc_metrics_with_their_status()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(string Instrument, string? Method, string? Status)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Core.Telemetry.RestoreTelemetry.MeterName && instrument.Name is "restoregrpc.requests" or "rpc.server.call.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(System.Diagnostics.Metrics.Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? method = null, status = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                method = tag.Key == "rpc.method" ? tag.Value as string : method;
                status = tag.Key == "rpc.status_code" ? tag.Value as string : status;
            }

            seen.Enqueue((instrument.Name, method, status));
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();

        var estimate = new EstimateRestoreRequest { Width = 8, Height = 8 };
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => Raw.EstimateRestoreAsync(estimate, new Metadata(), cancellationToken: Ct).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => Raw.EstimateRestoreAsync(estimate, Bearer(fixture.Token(tenant: null)), cancellationToken: Ct).ResponseAsync)).StatusCode);

        const string Method = "restoregrpc.v1.RestoreService/EstimateRestore";
        foreach (string status in new[] { "UNAUTHENTICATED", "PERMISSION_DENIED" })
        {
            Assert.Contains(seen, s => s.Instrument == "restoregrpc.requests" && s.Method == Method && s.Status == status);
            Assert.Contains(seen, s => s.Instrument == "rpc.server.call.duration" && s.Method == Method && s.Status == status);
        }
    }

    [Fact]
    public async Task A_resume_rebuilt_from_its_header_counts_its_image_against_the_quotas()
    {
        // A job id this server never saw, with the image size repeated: the job is rebuilt here (a stateless resume
        // of a job another instance started) and its image counts like a new job's, here the 100-pixel cap.
        string unknownJob = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        StreamHeader Rebuild(int side) => new() { JobId = unknownJob, Width = side, Height = side, Options = new RestoreOptions { Model = LanczosX4 } };

        using (var over = Raw.RestoreStream(ApiKey(fixture.KeyA), cancellationToken: Ct))
        {
            await over.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Rebuild(16) }, Ct);
            RpcException refused = await Assert.ThrowsAsync<RpcException>(() => over.ResponseStream.MoveNext(Ct));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.Contains("Restore:Quotas:MaxImagePixels", Assert.Single(refused.GetRpcStatus()!.GetDetail<QuotaFailure>()!.Violations).Description, StringComparison.Ordinal);
        }

        using var within = Raw.RestoreStream(ApiKey(fixture.KeyA), cancellationToken: Ct);
        await within.RequestStream.WriteAsync(new RestoreStreamRequest { Header = Rebuild(8) }, Ct);
        Assert.True(await within.ResponseStream.MoveNext(Ct));
        Assert.Equal(RestoreStreamResponse.KindOneofCase.Plan, within.ResponseStream.Current.KindCase);
    }

    private async Task<RpcException> ResumeFailsAsync(Metadata credentials, string jobId)
    {
        using var call = Raw.RestoreStream(credentials, cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new RestoreStreamRequest { Header = new StreamHeader { JobId = jobId } }, Ct);
        return await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));
    }

    private async Task<string> QuotaSubjectAsync(Metadata credentials)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Raw.RestoreAsync(Small(16), credentials, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        QuotaFailure.Types.Violation violation = Assert.Single(error.GetRpcStatus()!.GetDetail<QuotaFailure>()!.Violations);
        Assert.Contains("Restore:Quotas:MaxImagePixels", violation.Description, StringComparison.Ordinal);
        return violation.Subject;
    }

    private static RestoreRequest Small(int side) => new()
    {
        Image = ByteString.CopyFrom(SyntheticImages.AlphaGradientPng(side, side)),
        Options = new RestoreOptions { Model = LanczosX4 },
    };

    private static Metadata ApiKey(string key) => new() { { "x-api-key", key } };

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };
}
