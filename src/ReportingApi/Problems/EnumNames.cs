namespace ReportingApi.Problems;

/// <summary>
/// An enum value from its name as a client wrote it, in any case. Only a defined name matches: <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/>
/// also takes numbers and comma-separated lists, which it ORs together ("csv,xlsx" is Csv | Xlsx, i.e. Xlsx), so a list or
/// a repeated query parameter would quietly pick some value.
/// </summary>
public static class EnumNames
{
    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        var name = Enum.GetNames<TEnum>().FirstOrDefault(name => string.Equals(name, text, StringComparison.OrdinalIgnoreCase));
        value = name is null ? default : Enum.Parse<TEnum>(name);
        return name is not null;
    }
}
