using System.Globalization;

namespace ReportingApi.Problems;

/// <summary>The <c>limit</c> query parameter of the cursor-paged lists: 1 to <see cref="Max"/>, <see cref="Default"/> when absent.</summary>
public static class PageLimit
{
    public const int Default = 50;
    public const int Max = 200;

    /// <summary>The limit asked for, or <see cref="Default"/>; a bad value adds an error under <c>limit</c>.</summary>
    public static int Parse(string? limit, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (limit is null)
        {
            return Default;
        }

        if (int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out var take) && take is >= 1 and <= Max)
        {
            return take;
        }

        errors["limit"] = [$"'limit' must be 1 to {Max}."];
        return Default;
    }
}
