namespace RestoreGrpc.Core.Faces.Detection;

/// <summary>A facial landmark in image pixel coordinates (x to the right, y down, origin at the top-left corner).</summary>
public readonly record struct LandmarkPoint(float X, float Y);
