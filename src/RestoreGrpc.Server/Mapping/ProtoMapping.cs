using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using RestoreGrpc.Contracts.V1;
using RestoreGrpc.Core.Errors;
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

        Defined(options.Task, RequestField.Task);
        Defined(options.Priority, RequestField.Priority);
        Defined(options.Output?.Format ?? ImageFormat.Unspecified, RequestField.OutputFormat);
        Defined(options.Faces?.Selection ?? FaceSelection.Unspecified, RequestField.FaceSelection);

        return new RestoreSettings(
            Model: string.IsNullOrWhiteSpace(options.Model) ? null : options.Model,
            Scale: options.HasScale ? options.Scale : null,
            TileSize: options.Tiling is { HasTileSize: true } tiling ? tiling.TileSize : null,
            TileMargin: options.Tiling is { HasTileMargin: true } margin ? margin.TileMargin : null,
            Output: new EncodeSettings(
                ToFormat(options.Output?.Format ?? ImageFormat.Unspecified),
                options.Output is { HasQuality: true } output ? output.Quality : null,
                options.Output?.StripMetadata ?? false,
                Lossless: options.Output?.Lossless ?? false,
                Background: string.IsNullOrEmpty(options.Output?.Background) ? null : ToBackground(options.Output.Background)),
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

    /// <summary>
    /// Refuses an enum number the contract does not define (protobuf keeps unknown numbers as they came), so a
    /// client built against a newer or wrong contract is told, not silently given the default.
    /// </summary>
    private static void Defined<TEnum>(TEnum value, RequestField field)
        where TEnum : struct, System.Enum
    {
        if (!System.Enum.IsDefined(value))
        {
            string names = string.Join(", ", System.Enum.GetValues<TEnum>().Select(v => $"{Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)}"));
            throw new InvalidRequestException(field, $"{Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)} is not a defined value (defined: {names})");
        }
    }

    /// <summary>"#RRGGBB" (the '#' optional) to a colour; anything else is refused naming the field.</summary>
    private static SixLabors.ImageSharp.PixelFormats.Rgb24 ToBackground(string text)
    {
        string hex = text.StartsWith('#') ? text[1..] : text;
        if (hex.Length != 6 || !int.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out int rgb))
        {
            throw new InvalidRequestException(RequestField.OutputBackground, $"must be a colour as #RRGGBB (got '{text}')");
        }

        return new SixLabors.ImageSharp.PixelFormats.Rgb24((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
    }

    public static FaceSettings ToSettings(FaceOptions faces) => new(
        Detector: string.IsNullOrWhiteSpace(faces.Detector) ? null : faces.Detector,
        Restorer: string.IsNullOrWhiteSpace(faces.Restorer) ? null : faces.Restorer,
        Blend: faces.HasBlend ? faces.Blend : 1.0,
        Selection: ToSelection(faces.Selection),
        MinFaceSize: faces.MinFaceSize,
        ScoreThreshold: faces.HasScoreThreshold ? faces.ScoreThreshold : null,
        ColorFidelity: faces.ColorFidelity,
        Landmarks: faces.Landmarks.Count == 0
            ? null
            : faces.Landmarks.Select(l => (IReadOnlyList<LandmarkPoint>)l.Points.Select(p => new LandmarkPoint(p.X, p.Y)).ToList()).ToList());

    public static FaceSettings ToSettings(DetectFacesRequest request) => new(
        Detector: string.IsNullOrWhiteSpace(request.Detector) ? null : request.Detector,
        Selection: ToSelection(request.Selection),
        MinFaceSize: request.MinFaceSize,
        ScoreThreshold: request.HasScoreThreshold ? request.ScoreThreshold : null);

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
        proto.Landmarks = new FaceLandmarks();
        proto.Landmarks.Points.AddRange(face.Landmarks.Select(p => new Point { X = p.X, Y = p.Y }));
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
        response.Details.Notes.AddRange(result.Output.Notes);
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
            ModelScale = result.ModelScale,
            Scale = result.Scale,
            TileCount = result.TileCount,
            TileSize = result.TileSize,
            TileMargin = result.TileMargin,
            ExecutionProvider = ToExecutionProvider(result.ExecutionProvider),
            Input = ToProto(result.Input),
            Task = ToProto(result.Task),
            FaceDetector = result.FaceDetector ?? string.Empty,
            FaceRestorer = result.FaceRestorer ?? string.Empty,
            FacesNotSearchedReason = result.FacesNotSearched ?? string.Empty,
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
            ModelScale = estimate.ModelScale,
            OutputWidth = estimate.OutputWidth,
            OutputHeight = estimate.OutputHeight,
            TileCount = estimate.TileCount,
            TileSize = estimate.TileSize,
            TileMargin = estimate.TileMargin,
            WindowWidth = estimate.WindowWidth,
            WindowHeight = estimate.WindowHeight,
            BatchCount = estimate.Batches,
            EstimatedMemoryBytes = estimate.MemoryBytes,
            ExceedsUnaryLimits = estimate.ExceedsUnaryLimits,
        };
        if (estimate.EstimatedInference is { } inference)
        {
            response.EstimatedInference = Duration.FromTimeSpan(inference);
        }

        return response;
    }

    public static ImageInfo ToProto(ImageDescription description)
    {
        var info = new ImageInfo
        {
        Width = description.Width,
        Height = description.Height,
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
        BitDepth = description.BitDepth,
        HasAlpha = description.HasAlpha,
        HasIccProfile = description.HasIccProfile,
        HasExif = description.HasExif,
        EncodedBytes = description.EncodedBytes,
        };
        if (description.ExifOrientation > 0)
        {
            info.ExifOrientation = description.ExifOrientation;
        }

        return info;
    }

    /// <summary>The core names providers by string ("CUDA", "CPU", "builtin"); the contract has an enum.</summary>
    public static ExecutionProvider ToExecutionProvider(string provider) => provider switch
    {
        ExecutionProviderNames.Cuda => ExecutionProvider.Cuda,
        ExecutionProviderNames.Cpu => ExecutionProvider.Cpu,
        ExecutionProviderNames.Builtin => ExecutionProvider.Builtin,
        _ => ExecutionProvider.Unspecified,
    };

    public static ModelInfo ToProto(ModelStatus status)
    {
        ModelDescriptor d = status.Descriptor;
        var info = new ModelInfo
        {
            Name = d.Name,
            Task = ToProto(d.Task),
            Scale = d.Scale,
            Input = new InputContract
            {
                Layout = "NCHW",
                ChannelCount = 3,
                Range = d.InputRange switch
                {
                    CoreInputRange.ZeroToOne => ProtoInputRange.ZeroToOne,
                    CoreInputRange.MinusOneToOne => ProtoInputRange.MinusOneToOne,
                    CoreInputRange.ZeroTo255 => ProtoInputRange.ZeroTo255,
                    _ => ProtoInputRange.Unspecified,
                },
                ColorOrder = d.ColorOrder == CoreColorOrder.Bgr ? ProtoColorOrder.Bgr : ProtoColorOrder.Rgb,
                SizeMultiple = Math.Max(1, d.SizeMultiple),
            },
            State = status.State switch
            {
                CoreModelState.Missing => ProtoModelState.Missing,
                CoreModelState.Downloading => ProtoModelState.Downloading,
                CoreModelState.Pending or CoreModelState.Loading => ProtoModelState.Loading,
                CoreModelState.Ready => ProtoModelState.Ready,
                CoreModelState.Failed => ProtoModelState.Failed,
                CoreModelState.Unloaded => ProtoModelState.Unloaded,
                _ => ProtoModelState.Unspecified,
            },
            // The detail names files; callers get their names, not the server's folders.
            StateDetail = Security.Redaction.HidePaths(status.Detail),
            ExecutionProvider = ToExecutionProvider(status.ExecutionProvider),
            Description = d.Description,
            Builtin = status.Builtin,
        };
        if (d.FixedSize > 0)
        {
            info.Input.FixedSize = d.FixedSize;
        }

        // Only super-resolution models are tiled.
        if (d.Task == ModelTaskKind.SuperResolution)
        {
            info.TileSize = status.TileSize;
            info.TileMargin = d.TileMargin;
        }

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
