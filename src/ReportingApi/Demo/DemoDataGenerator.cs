namespace ReportingApi.Demo;

/// <summary>One table's rows for a bulk load: column names and a lazily generated row sequence.</summary>
public sealed record TableRows(string Table, IReadOnlyList<string> Columns, IEnumerable<object?[]> Rows);

/// <summary>
/// Deterministic, realistic contract data of any size. The same seed and size give the same rows on every
/// machine, so tests and benchmarks can rely on them. Rows are produced lazily: a million contracts never
/// sit in memory.
/// </summary>
public sealed class DemoDataGenerator
{
    public static readonly DateOnly DefaultReferenceMonth = new(2026, 11, 1);

    private static readonly string[] FirstNames =
        ["Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Katharina", "Lukas", "Mia", "Noah", "Olga", "Paul", "Quirin", "Rosa", "Sören", "Tanja", "Ümit", "Valentina", "Wiebke", "Xaver", "Yara", "Zoë"];

    private static readonly string[] LastNames =
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Hofmann", "Krüger", "Hartmann", "Lange", "Özdemir", "Nowak", "O'Brien"];

    private static readonly string[] EmployerWords =
        ["Nordlicht", "Alpen", "Rhein", "Elbe", "Hanse", "Isar", "Spree", "Main", "Weser", "Donau", "Havel", "Mosel"];

    private static readonly string[] EmployerKinds =
        ["Logistik GmbH", "Software AG", "Klinikum gGmbH", "Maschinenbau GmbH & Co. KG", "Versicherung AG", "Stadtwerke GmbH", "Bäckerei, Konditorei & Café GmbH", "Consulting \"Partners\" GmbH"];

    private static readonly string[] Cities =
        ["Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf", "Leipzig", "Dortmund", "Bremen", "Dresden", "Hannover"];

    private static readonly (string Brand, string[] Models)[] Brands =
    [
        ("Riese & Müller", ["Load 60", "Charger4", "Supercharger2", "Multicharger Mixte"]),
        ("Cube", ["Kathmandu Hybrid", "Stereo Hybrid 140", "Nuroad C:62"]),
        ("Gazelle", ["Ultimate C380", "Arroyo C8", "Medeo T9"]),
        ("Canyon", ["Precede:ON", "Grizl", "Commuter 7"]),
        ("Urban Arrow", ["Family", "Shorty"]),
        ("Brompton", ["C Line Explore", "Electric P Line"]),
    ];

    private static readonly string[] Categories = ["e-bike", "city", "cargo", "road", "mountain", "folding"];
    private static readonly string[] Insurances = ["premium", "basic", "none"];
    private static readonly int[] Terms = [24, 36, 36, 36, 48];
    private const decimal VatRate = 0.19m;

    private readonly int _seed;

    public DemoDataGenerator(int contracts, int seed = 42, DateOnly? referenceMonth = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contracts, 1);
        Contracts = contracts;
        _seed = seed;
        ReferenceMonth = referenceMonth ?? DefaultReferenceMonth;
        Employers = Math.Max(12, contracts / 500);
        Dealers = Math.Max(6, contracts / 2_000);
        Employees = Math.Max(1, contracts * 9 / 10);
    }

    public int Contracts { get; }

    public int Employers { get; }

    public int Dealers { get; }

    public int Employees { get; }

    /// <summary>The month the data is "as of": installments exist up to it, contracts before it have ended.</summary>
    public DateOnly ReferenceMonth { get; }

    /// <summary>Tables in foreign-key order.</summary>
    public IEnumerable<TableRows> Tables()
    {
        yield return new TableRows("employers", ["id", "name", "vat_id", "city", "country"], EmployerRows());
        yield return new TableRows("dealers", ["id", "name", "city", "country"], DealerRows());
        yield return new TableRows("employees", ["id", "employer_id", "personnel_number", "first_name", "last_name", "email", "hired_on", "status"], EmployeeRows());
        yield return new TableRows("bikes", ["id", "brand", "model", "category", "frame_number", "list_price"], BikeRows());
        yield return new TableRows(
            "contracts",
            ["id", "contract_number", "employee_id", "employer_id", "bike_id", "dealer_id", "start_date", "end_date", "term_months", "monthly_gross_rate", "employer_subsidy", "residual_value", "insurance", "status"],
            ContractRows());
        yield return new TableRows(
            "installments",
            ["id", "contract_id", "due_month", "gross", "net", "vat", "employer_share", "employee_share", "status", "paid_at"],
            InstallmentRows());
    }

    public int EmployerOfEmployee(int employeeId) => (int)((uint)employeeId * 2654435761u % (uint)Employers) + 1;

    private IEnumerable<object?[]> EmployerRows()
    {
        for (var id = 1; id <= Employers; id++)
        {
            var random = RandomFor(1, id);
            var name = $"{EmployerWords[(id - 1) % EmployerWords.Length]} {EmployerKinds[random.Next(EmployerKinds.Length)]}";
            yield return [id, id <= EmployerWords.Length ? name : $"{name} {id}", $"DE{100_000_000 + id * 7919 % 900_000_000}", Cities[random.Next(Cities.Length)], "DE"];
        }
    }

    private IEnumerable<object?[]> DealerRows()
    {
        for (var id = 1; id <= Dealers; id++)
        {
            var random = RandomFor(2, id);
            var city = Cities[random.Next(Cities.Length)];
            yield return [id, $"Radhaus {city} {id}", city, "DE"];
        }
    }

    private IEnumerable<object?[]> EmployeeRows()
    {
        for (var id = 1; id <= Employees; id++)
        {
            var random = RandomFor(3, id);
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var hiredOn = ReferenceMonth.AddDays(-random.Next(120, 7_300));
            var employerId = EmployerOfEmployee(id);
            var email = $"{Ascii(first)}.{Ascii(last)}.{id}@employer{employerId}.example";
            yield return [id, employerId, $"P{id:D7}", first, last, email, hiredOn, random.Next(20) == 0 ? "left" : "active"];
        }
    }

    private IEnumerable<object?[]> BikeRows()
    {
        for (var id = 1; id <= Contracts; id++)
        {
            var bike = BikeFor(id);
            yield return [id, bike.Brand, bike.Model, bike.Category, $"WAW{id:D9}", bike.ListPrice];
        }
    }

    private IEnumerable<object?[]> ContractRows()
    {
        for (var id = 1; id <= Contracts; id++)
        {
            var c = ContractFor(id);
            yield return [id, $"C-{id:D8}", c.EmployeeId, c.EmployerId, id, c.DealerId, c.Start, c.End, c.Term, c.MonthlyRate, c.Subsidy, c.Residual, c.Insurance, c.Status];
        }
    }

    private IEnumerable<object?[]> InstallmentRows()
    {
        for (var id = 1; id <= Contracts; id++)
        {
            var c = ContractFor(id);
            var random = RandomFor(6, id);
            for (var month = 0; month < c.Term; month++)
            {
                var due = c.Start.AddMonths(month);
                if (due > ReferenceMonth || (c.Status == "cancelled" && month >= c.CancelledAfterMonths))
                {
                    break;
                }

                var net = Math.Round(c.MonthlyRate / (1 + VatRate), 2);
                var overdue = due < ReferenceMonth && random.Next(50) == 0;
                var paid = due < ReferenceMonth && !overdue;
                object? paidAt = paid ? due.ToDateTime(new TimeOnly(random.Next(6, 20), random.Next(60), random.Next(60))).AddDays(random.Next(0, 5)) : null;
                yield return [(long)id * 64 + month, id, due, c.MonthlyRate, net, c.MonthlyRate - net, c.Subsidy, c.MonthlyRate - c.Subsidy, paid ? "paid" : overdue ? "overdue" : "open", paidAt];
            }
        }
    }

    private (string Brand, string Model, string Category, decimal ListPrice) BikeFor(int contractId)
    {
        var random = RandomFor(4, contractId);
        var (brand, models) = Brands[random.Next(Brands.Length)];
        return (brand, models[random.Next(models.Length)], Categories[random.Next(Categories.Length)], 1_200m + random.Next(0, 780_000) / 100m);
    }

    private ContractFacts ContractFor(int id)
    {
        var random = RandomFor(5, id);
        var employeeId = id <= Employees ? id : random.Next(1, Employees + 1);
        var term = Terms[random.Next(Terms.Length)];
        var start = ReferenceMonth.AddMonths(-random.Next(0, 48));
        var end = start.AddMonths(term).AddDays(-1);
        var listPrice = BikeFor(id).ListPrice;
        var monthlyRate = Math.Round(listPrice * 0.0317m, 2);
        var subsidy = random.Next(4) switch { 0 => 0m, 1 => 15m, 2 => 25m, _ => Math.Round(monthlyRate * 0.2m, 2) };
        var cancelled = random.Next(33) == 0;
        var status = cancelled ? "cancelled" : end < ReferenceMonth ? "ended" : "active";
        return new ContractFacts(
            employeeId, EmployerOfEmployee(employeeId), random.Next(1, Dealers + 1), start, end, term, monthlyRate, subsidy,
            Math.Round(listPrice * 0.18m, 2), Insurances[random.Next(Insurances.Length)], status, random.Next(1, term));
    }

    // One independent stream per (table, row) keeps every row reproducible without generating the ones before it.
    // (HashCode.Combine is randomised per process, so it cannot serve here.)
    private Random RandomFor(int table, int id)
    {
        var mixed = unchecked(((ulong)(uint)_seed << 40) ^ ((ulong)(uint)table << 32) ^ (uint)id);
        mixed = unchecked((mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9UL);
        mixed = unchecked((mixed ^ (mixed >> 27)) * 0x94D049BB133111EBUL);
        return new Random((int)((mixed ^ (mixed >> 31)) & int.MaxValue));
    }

    private static string Ascii(string name) =>
        name.ToLowerInvariant().Replace("ü", "ue", StringComparison.Ordinal).Replace("ö", "oe", StringComparison.Ordinal)
            .Replace("ä", "ae", StringComparison.Ordinal).Replace("ë", "e", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal);

    private sealed record ContractFacts(
        int EmployeeId, int EmployerId, int DealerId, DateOnly Start, DateOnly End, int Term, decimal MonthlyRate, decimal Subsidy,
        decimal Residual, string Insurance, string Status, int CancelledAfterMonths);
}
