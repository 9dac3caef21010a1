using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using MySql.Data.MySqlClient;

namespace ReportingApi.Data;

/// <summary>
/// MySql.Data 8.0.16 predates the <c>utf8mb3</c> charset name that MariaDB and MySQL 8 report, throws on it
/// and leaves the connection corrupt. Mapping the name to the driver's own <c>utf8</c> entry fixes it.
/// </summary>
public static class MySqlCharsetFix
{
    private static readonly Lock Gate = new();
    private static bool _applied;

    public static void Apply()
    {
        lock (Gate)
        {
            if (_applied)
            {
                return;
            }

            var charSetMap = typeof(MySqlConnection).Assembly.GetType("MySql.Data.MySqlClient.CharSetMap", throwOnError: true)!;
            RuntimeHelpers.RunClassConstructor(charSetMap.TypeHandle);
            var mappingField = charSetMap.GetField("_mapping", BindingFlags.NonPublic | BindingFlags.Static)
                ?? throw new InvalidOperationException("MySql.Data's CharSetMap has no _mapping field; the utf8mb3 fix needs updating.");
            if (mappingField.GetValue(null) is null)
            {
                charSetMap.GetMethod("InitializeMapping", BindingFlags.NonPublic | BindingFlags.Static)!.Invoke(null, null);
            }

            var mapping = (IDictionary)mappingField.GetValue(null)!;
            if (!mapping.Contains("utf8mb3"))
            {
                mapping["utf8mb3"] = mapping["utf8"];
            }

            _applied = true;
        }
    }
}
