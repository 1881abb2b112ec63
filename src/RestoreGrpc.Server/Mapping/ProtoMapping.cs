using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Faces;
using RestoreGrpc.Core.Faces.Detection;
using RestoreGrpc.Core.Imaging;
using RestoreGrpc.Core.Models;
using RestoreGrpc.Core.Restoration;
using RestoreGrpc.Core.Scheduling;
using CoreColorOrder = RestoreGrpc.Core.Models.ColorOrder;
using CoreInputRange = RestoreGrpc.Core.Models.InputRange;
using CoreModelState = RestoreGrpc.Core.Models.ModelState;
using ProtoColorOrder = RestoreGrpc.Contracts.V1.ColorOrder;
using ProtoInputRange = RestoreGrpc.Contracts.V1.InputRange;
using ProtoModelState = RestoreGrpc.Contracts.V1.ModelState;

namespace RestoreGrpc.Server.Mapping;

/// <summary>Translates between the v1 protobuf contract and the core's types. No logic beyond mapping.</summary>
internal static class ProtoMapping
{
    public static RestoreSettings ToSettings(RestoreOptions? options)
    {
        if (options is null)
        {
            return new RestoreSettings();
        }

        return new RestoreSettings(
            Model: string.IsNullOrWhiteSpace(options.Model) ? null : options.Model,
            Scale: options.Scale == 0 ? null : options.Scale,
            TileSize: options.Tiling is { TileSize: > 0 } tiling ? (int)Math.Min(tiling.TileSize, int.MaxValue) : null,
            TileMargin: options.Tiling is { TileMargin: > 0 } margin ? (int)Math.Min(margin.TileMargin, int.MaxValue) : null,
            Output: new EncodeSettings(
                ToFormat(options.Output?.Format ?? ImageFormat.Unspecified),
                options.Output is { Quality: > 0 } output ? (int)Math.Min(output.Quality, int.MaxValue) : null,
                options.Output?.StripMetadata ?? false),
            Task: options.Task switch
            {
                RestoreTask.Faces => RestoreTaskKind.Faces,
                RestoreTask.FacesAndBackground => RestoreTaskKind.FacesAndBackground,
                RestoreTask.Auto => RestoreTaskKind.Auto,
                _ => RestoreTaskKind.SuperResolution,
            },
            Faces: options.Faces is null ? null : ToSettings(options.Faces),
            Priority: options.Priority == Priority.Batch ? SchedulingPriority.Batch : SchedulingPriority.Interactive);
    }

    public static FaceSettings ToSettings(FaceOptions faces) => new(
        Detector: string.IsNullOrWhiteSpace(faces.Detector) ? null : faces.Detector,
        Restorer: string.IsNullOrWhiteSpace(faces.Restorer) ? null : faces.Restorer,
        Blend: faces.HasBlend ? faces.Blend : 1.0,
        Selection: ToSelection(faces.Selection),
        MinFaceSize: faces.MinFaceSize,
        ScoreThreshold: faces.ScoreThreshold == 0 ? null : faces.ScoreThreshold,
        ColorFidelity: faces.ColorFidelity,
        Landmarks: faces.Landmarks.Count == 0
            ? null
            : faces.Landmarks.Select(l => (IReadOnlyList<LandmarkPoint>)l.Points.Select(p => new LandmarkPoint(p.X, p.Y)).ToList()).ToList());

    public static FaceSettings ToSettings(DetectFacesRequest request) => new(
        Detector: string.IsNullOrWhiteSpace(request.Detector) ? null : request.Detector,
        Selection: ToSelection(request.Selection),
        MinFaceSize: request.MinFaceSize,
        ScoreThreshold: request.ScoreThreshold == 0 ? null : request.ScoreThreshold);

    private static FaceSelectionKind ToSelection(FaceSelection selection) => selection switch
    {
        FaceSelection.Largest => FaceSelectionKind.Largest,
        FaceSelection.Center => FaceSelectionKind.Center,
        _ => FaceSelectionKind.All,
    };

    public static RestoreTask ToProto(RestoreTaskKind task) => task switch
    {
        RestoreTaskKind.Faces => RestoreTask.Faces,
        RestoreTaskKind.FacesAndBackground => RestoreTask.FacesAndBackground,
        RestoreTaskKind.Auto => RestoreTask.Auto,
        _ => RestoreTask.SuperResolution,
    };

    public static Face ToProto(FaceReport report)
    {
        DetectedFace face = report.Face;
        var proto = new Face
        {
            Box = new Box { X = face.Box.X, Y = face.Box.Y, Width = face.Box.Width, Height = face.Box.Height },
            Score = face.Score,
            Restored = report.Restored,
        };
        proto.Landmarks.AddRange(face.Landmarks.Select(p => new Point { X = p.X, Y = p.Y }));
        if (report.InputToCrop is { } t)
        {
            proto.Transform = new Contracts.V1.SimilarityTransform { A = t.A, B = t.B, Tx = t.Tx, Ty = t.Ty };
        }

        return proto;
    }

    public static ImageFormatKind? ToFormat(ImageFormat format) => format switch
    {
        ImageFormat.Png => ImageFormatKind.Png,
        ImageFormat.Jpeg => ImageFormatKind.Jpeg,
        ImageFormat.Webp => ImageFormatKind.Webp,
        ImageFormat.Tiff => ImageFormatKind.Tiff,
        ImageFormat.Bmp => ImageFormatKind.Bmp,
        ImageFormat.Gif => ImageFormatKind.Gif,
        _ => null,
    };

    public static ImageFormat ToProto(ImageFormatKind format) => format switch
    {
        ImageFormatKind.Png => ImageFormat.Png,
        ImageFormatKind.Jpeg => ImageFormat.Jpeg,
        ImageFormatKind.Webp => ImageFormat.Webp,
        ImageFormatKind.Tiff => ImageFormat.Tiff,
        ImageFormatKind.Bmp => ImageFormat.Bmp,
        ImageFormatKind.Gif => ImageFormat.Gif,
        _ => ImageFormat.Unspecified,
    };

    public static RestoreResponse ToResponse(RestorationResult result)
    {
        RestoreResponse response = ToResponseWithoutFaces(result);
        response.Faces.AddRange(result.Faces.Select(ToProto));
        return response;
    }

    private static RestoreResponse ToResponseWithoutFaces(RestorationResult result) => new()
    {
        Image = UnsafeByteOperations.UnsafeWrap(result.Output.Memory),
        Output = ToProto(result.Output.Description),
        Details = new RestoreDetails
        {
            Model = result.Model,
            ModelScale = (uint)result.ModelScale,
            Scale = result.Scale,
            TileCount = (uint)result.TileCount,
            TileSize = (uint)result.TileSize,
            TileMargin = (uint)result.TileMargin,
            ExecutionProvider = result.ExecutionProvider,
            Input = ToProto(result.Input),
            Task = ToProto(result.Task),
            FaceDetector = result.FaceDetector ?? string.Empty,
            FaceRestorer = result.FaceRestorer ?? string.Empty,
            Timings = new Contracts.V1.StageTimings
            {
                FaceDetection = Duration.FromTimeSpan(result.Timings.FaceDetection),
                FaceRestoration = Duration.FromTimeSpan(result.Timings.FaceRestoration),
                Decode = Duration.FromTimeSpan(result.Timings.Decode),
                QueueWait = Duration.FromTimeSpan(result.Timings.QueueWait),
                Inference = Duration.FromTimeSpan(result.Timings.Inference),
                Tiling = Duration.FromTimeSpan(result.Timings.Tiling),
                Postprocess = Duration.FromTimeSpan(result.Timings.Postprocess),
                Encode = Duration.FromTimeSpan(result.Timings.Encode),
                Total = Duration.FromTimeSpan(result.Timings.Total),
            },
        },
    };

    public static EstimateRestoreResponse ToProto(RestoreEstimate estimate)
    {
        var response = new EstimateRestoreResponse
        {
            Model = estimate.Model,
            ModelScale = (uint)estimate.ModelScale,
            OutputWidth = (uint)estimate.OutputWidth,
            OutputHeight = (uint)estimate.OutputHeight,
            TileCount = (uint)estimate.TileCount,
            TileSize = (uint)estimate.TileSize,
            TileMargin = (uint)estimate.TileMargin,
            WindowWidth = (uint)estimate.WindowWidth,
            WindowHeight = (uint)estimate.WindowHeight,
            Batches = (uint)estimate.Batches,
            EstimatedMemoryBytes = (ulong)estimate.MemoryBytes,
            ExceedsUnaryLimits = estimate.ExceedsUnaryLimits,
        };
        if (estimate.EstimatedInference is { } inference)
        {
            response.EstimatedInference = Duration.FromTimeSpan(inference);
        }

        return response;
    }

    public static ImageInfo ToProto(ImageDescription description) => new()
    {
        Width = (uint)description.Width,
        Height = (uint)description.Height,
        Format = ToProto(description.Format),
        ColorType = description.Color switch
        {
            ColorKind.Gray => ColorType.Gray,
            ColorKind.GrayAlpha => ColorType.GrayAlpha,
            ColorKind.Rgb => ColorType.Rgb,
            ColorKind.Rgba => ColorType.Rgba,
            ColorKind.Palette => ColorType.Palette,
            _ => ColorType.Unspecified,
        },
        BitDepth = (uint)description.BitDepth,
        HasAlpha = description.HasAlpha,
        HasIccProfile = description.HasIccProfile,
        HasExif = description.HasExif,
        ExifOrientation = (uint)description.ExifOrientation,
        EncodedBytes = (ulong)description.EncodedBytes,
    };

    public static ModelInfo ToProto(ModelStatus status)
    {
        ModelDescriptor d = status.Descriptor;
        var info = new ModelInfo
        {
            Name = d.Name,
            Task = ToProto(d.Task),
            Scale = (uint)d.Scale,
            Input = new InputContract
            {
                Layout = "NCHW",
                Channels = 3,
                Range = d.InputRange switch
                {
                    CoreInputRange.ZeroToOne => ProtoInputRange.ZeroToOne,
                    CoreInputRange.MinusOneToOne => ProtoInputRange.MinusOneToOne,
                    CoreInputRange.ZeroTo255 => ProtoInputRange.ZeroTo255,
                    _ => ProtoInputRange.Unspecified,
                },
                ColorOrder = d.ColorOrder == CoreColorOrder.Bgr ? ProtoColorOrder.Bgr : ProtoColorOrder.Rgb,
                FixedSize = (uint)Math.Max(0, d.FixedSize),
                SizeMultiple = (uint)Math.Max(0, d.SizeMultiple),
            },
            State = status.State switch
            {
                CoreModelState.Missing => ProtoModelState.Missing,
                CoreModelState.Downloading => ProtoModelState.Downloading,
                CoreModelState.Pending or CoreModelState.Loading => ProtoModelState.Loading,
                CoreModelState.Ready => ProtoModelState.Ready,
                CoreModelState.Failed => ProtoModelState.Failed,
                _ => ProtoModelState.Unspecified,
            },
            StateDetail = status.Detail,
            IsDefault = status.IsDefault,
            ExecutionProvider = status.ExecutionProvider,
            // Only super-resolution models are tiled.
            TileSize = d.Task == ModelTaskKind.SuperResolution ? (uint)status.TileSize : 0,
            TileMargin = d.Task == ModelTaskKind.SuperResolution ? (uint)d.TileMargin : 0,
            Description = d.Description,
            Builtin = status.Builtin,
        };
        if (d.Mean is { } mean)
        {
            info.Input.Mean.AddRange(mean);
        }

        return info;
    }

    public static ModelTask ToProto(ModelTaskKind task) => task switch
    {
        ModelTaskKind.SuperResolution => ModelTask.SuperResolution,
        ModelTaskKind.FaceRestoration => ModelTask.FaceRestoration,
        ModelTaskKind.FaceDetection => ModelTask.FaceDetection,
        _ => ModelTask.Unspecified,
    };
}
