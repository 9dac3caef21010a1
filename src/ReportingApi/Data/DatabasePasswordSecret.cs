using System.Data.Common;
using ReportingApi.Secrets;

namespace ReportingApi.Data;

/// <summary>
/// Where the MySQL password is kept (<see cref="DatabaseOptions.PasswordSecretArn"/> or <see cref="DatabaseOptions.PasswordPath"/>,
/// by <c>Secrets:Provider</c>), and how its text is read: a plain password, or RDS's JSON secret
/// (<c>{"username": ..., "password": ...}</c>, other fields ignored).
/// </summary>
internal sealed record DatabasePasswordSecret(string Reference, string SettingName)
{
    private const string PasswordField = "password";
    private const string UserNameField = "username";

    /// <summary>The secret that applies to this provider, or null when the connection string is used as it is.</summary>
    /// <exception cref="InvalidOperationException">The settings contradict each other.</exception>
    public static DatabasePasswordSecret? From(DatabaseOptions options, SecretsProvider secretsProvider)
    {
        var arnSetting = Setting(nameof(DatabaseOptions.PasswordSecretArn));
        var pathSetting = Setting(nameof(DatabaseOptions.PasswordPath));
        var arn = Blank(options.PasswordSecretArn);
        var path = Blank(options.PasswordPath);
        if (arn is null && path is null)
        {
            return null;
        }

        if (options.Provider != DatabaseProvider.MySql)
        {
            throw new InvalidOperationException($"{arnSetting} and {pathSetting} apply to MySQL only, but {Setting(nameof(DatabaseOptions.Provider))} is {options.Provider}.");
        }

        var secretsSetting = $"{SecretsOptions.Section}:{nameof(SecretsOptions.Provider)}";
        return secretsProvider switch
        {
            SecretsProvider.SecretsManager => arn is not null
                ? new DatabasePasswordSecret(arn, arnSetting)
                : throw new InvalidOperationException($"{pathSetting} is set, but {secretsSetting} is {secretsProvider}: set {arnSetting} instead."),
            _ => path is not null
                ? new DatabasePasswordSecret(path, pathSetting)
                : throw new InvalidOperationException($"{arnSetting} is set, but {secretsSetting} is {secretsProvider}: set {pathSetting} (a file), or {secretsSetting} to {nameof(SecretsProvider.SecretsManager)}."),
        };
    }

    /// <summary>The user name (only from a JSON secret) and password in the secret's text.</summary>
    /// <exception cref="DatabaseSecretException">The text holds no password; the message never quotes the text.</exception>
    public (string? UserName, string Password) Read(string text)
    {
        if (JsonSecret.Fields(text) is { } fields)
        {
            return fields.GetValueOrDefault(PasswordField) is { Length: > 0 } password
                ? (fields.GetValueOrDefault(UserNameField), password)
                : throw new DatabaseSecretException($"The database secret ({Describe()}) is JSON without a \"{PasswordField}\" string.");
        }

        return JsonSecret.FirstLine(text) is { Length: > 0 } firstLine
            ? (null, firstLine)
            : throw new DatabaseSecretException($"The database secret ({Describe()}) is empty.");
    }

    public string Describe() => $"{SettingName} = {Reference}";

    private static string Setting(string property) => $"{DatabaseOptions.Section}:{property}";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>
/// The database password could not be had from its secret. A <see cref="DbException"/>, so callers treat it as the database
/// being unavailable (503, not ready, run retried). The message names the setting and reference, never the value.
/// </summary>
public sealed class DatabaseSecretException(string message, Exception? inner = null) : DbException(message, inner);
