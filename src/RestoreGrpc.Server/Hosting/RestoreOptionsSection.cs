namespace RestoreGrpc.Server.Hosting;

/// <summary>One bound options class and its configuration section; registered for each, so the documentation test
/// can compare every key the server reads with the README's configuration table.</summary>
public sealed record RestoreOptionsSection(string Section, Type OptionsType);
