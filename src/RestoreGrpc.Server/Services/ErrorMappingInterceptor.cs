using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using RestoreGrpc.Core.Errors;
using RestoreGrpc.Core.Streaming;
using RestoreGrpc.Server.Mapping;
using RestoreGrpc.Server.Security;
using Status = Google.Rpc.Status;

namespace RestoreGrpc.Server.Services;

/// <summary>
/// Turns core exceptions into gRPC statuses with google.rpc details: bad input → INVALID_ARGUMENT with a
/// BadRequest naming the field; a full queue → RESOURCE_EXHAUSTED with RetryInfo, a tenant's quota → the same with a
/// QuotaFailure; unknown model → NOT_FOUND; unusable model → FAILED_PRECONDITION; cancellation →
/// CANCELLED or DEADLINE_EXCEEDED; a streamed message that is not protobuf → INVALID_ARGUMENT.
/// Anything else is logged and answered INTERNAL without leaking internals.
/// </summary>
internal sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : CallWrappingInterceptor
{
    protected override async Task<T> WrapAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw Map(e, context);
        }
    }

    private RpcException Map(Exception exception, ServerCallContext context)
    {
        // A stream's next message is parsed when the service reads it, so bytes that are not a protobuf message
        // surface here (grpc-dotnet may wrap the parser's exception).
        if (exception is not InvalidRequestException && Unparsable(exception) is { } unparsable)
        {
            return InvalidArgument(context, "request", $"a message is not a valid protobuf message ({unparsable.Message})");
        }

        switch (exception)
        {
            case InvalidRequestException invalid:
                // Descriptions may name the stream's job id, its resume credential: logs and statuses get its tag.
                return InvalidArgument(context, FieldPaths.Of(invalid.Field), Redaction.Hide(invalid.Description));
            case QueueFullException full:
                return Exhausted(full.Message, full.RetryAfter);
            case QuotaExceededException quota:
                // Subject: the tenant (the caller's own, never another's); description: which quota.
                return Exhausted(quota.Message, quota.RetryAfter, Any.Pack(new QuotaFailure
                {
                    Violations = { new QuotaFailure.Types.Violation { Subject = quota.Tenant, Description = quota.Message } },
                }));
            case ModelNotFoundException notFound:
                return ModelError(Code.NotFound, notFound.Name, notFound.Message);
            case ModelAlreadyExistsException exists:
                return ModelError(Code.AlreadyExists, exists.Name, exists.Message);
            case StreamJobNotFoundException job:
                return new Status
                {
                    Code = (int)Code.NotFound,
                    Message = Redaction.HideJobIds(job.Message),
                    Details = { Any.Pack(new ResourceInfo { ResourceType = "stream job", ResourceName = job.JobId, Description = Redaction.HideJobIds(job.Message) }) },
                }.ToRpcException();
            case ModelUnavailableException unavailable:
                // The reason may hold server paths: the log keeps them, the caller gets file names.
                LogUnavailable(logger, context.Method, unavailable.Message);
                return ModelError(Code.FailedPrecondition, unavailable.Name, Redaction.HidePaths(unavailable.Message));
            case OperationCanceledException when context.Deadline <= DateTime.UtcNow:
                return new RpcException(new Grpc.Core.Status(StatusCode.DeadlineExceeded, "deadline exceeded before the image was restored"));
            case OperationCanceledException:
                return new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "the call was cancelled"));
            default:
                LogFailed(logger, exception, context.Method);
                return new RpcException(new Grpc.Core.Status(StatusCode.Internal, "internal error; the server log has the details"));
        }
    }

    /// <summary>RESOURCE_EXHAUSTED with RetryInfo (when retrying can help) and any further details.</summary>
    private static RpcException Exhausted(string message, TimeSpan? retryAfter, params Any[] details)
    {
        var status = new Status { Code = (int)Code.ResourceExhausted, Message = message };
        status.Details.AddRange(details);
        if (retryAfter is { } delay)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        }

        return status.ToRpcException();
    }

    private RpcException InvalidArgument(ServerCallContext context, string field, string description)
    {
        LogRejected(logger, context.Method, field, description);
        return new Status
        {
            Code = (int)Code.InvalidArgument,
            Message = $"{field}: {description}",
            Details =
            {
                Any.Pack(new BadRequest
                {
                    FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = description } },
                }),
            },
        }.ToRpcException();
    }

    private static Google.Protobuf.InvalidProtocolBufferException? Unparsable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is Google.Protobuf.InvalidProtocolBufferException unparsable)
            {
                return unparsable;
            }
        }

        return null;
    }

    private static RpcException ModelError(Code code, string model, string message) => new Status
    {
        Code = (int)code,
        Message = message,
        Details = { Any.Pack(new ResourceInfo { ResourceType = "model", ResourceName = model, Description = message }) },
    }.ToRpcException();

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "{Method} rejected: {Field}: {Description}")]
    private static partial void LogRejected(ILogger logger, string method, string field, string description);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "{Method}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "{Method} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method);
}
