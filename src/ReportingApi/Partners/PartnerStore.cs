using Dapper;
using ReportingApi.Data;
using ReportingApi.Delivery;

namespace ReportingApi.Partners;

/// <summary>Where a partner's files go: its PGP key and delivery target.</summary>
/// <param name="DeleteDropFolderFilesAfterDelivery">Delete a file dropped in the partner's S3 drop folder once it is delivered.</param>
/// <param name="Active">Inactive partners get nothing delivered from their drop folder.</param>
public sealed record PartnerProfile(
    int PartnerId, string? PgpPublicKey, string? PgpFingerprint, DeliveryTarget? Target, bool DeleteDropFolderFilesAfterDelivery = false, bool Active = true)
{
    /// <summary>Why a run cannot be delivered for this partner, or null when it can.</summary>
    public PartnerRefusal? Refusal() =>
        PgpPublicKey is null || Target is null
            ? new PartnerRefusal(
                PartnerRefusalReason.NotConfigured,
                $"Your account has no {(PgpPublicKey is null ? "PGP public key" : "delivery target")} yet, so files cannot be delivered. Contact us to complete onboarding.")
            : null;
}

/// <summary>What operators set for a partner (besides its key and delivery target), as the store saves it.</summary>
/// <param name="DeleteDropFolderFilesAfterDelivery">Delete a file dropped in the partner's S3 drop folder once it is delivered.</param>
public sealed record PartnerSettings(
    string Name,
    string ClientId,
    bool Active,
    IReadOnlyList<int> EmployerIds,
    IReadOnlyList<string> IpAllowlist,
    IReadOnlyList<string> AllowedReports,
    IReadOnlyList<string> AllowedFormats,
    bool DeleteDropFolderFilesAfterDelivery);

/// <summary>A partner with everything operators set, as stored.</summary>
public sealed record PartnerAccount(int Id, PartnerSettings Settings, string? PgpKeyFingerprint, DeliveryTarget? Delivery)
{
    public string ClientId => Settings.ClientId;
}

/// <summary>Partners in the database: the delivery profile the run executor reads, and what partner administration writes.</summary>
public sealed class PartnerStore(DbConnectionFactory connections, PartnerRegistry registry, TimeProvider clock)
{
    public async Task<PartnerProfile> GetAsync(int partnerId, CancellationToken cancellationToken)
    {
        var row = await FindRowAsync(partnerId, cancellationToken) ?? throw new InvalidOperationException($"No partner {partnerId}.");
        return new PartnerProfile(row.Id, row.PgpPublicKey, row.PgpFingerprint, row.Target(), row.DeleteOutboxAfterDelivery is > 0, row.Active != 0);
    }

    public async Task<IReadOnlyList<PartnerAccount>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<PartnerRow>($"SELECT {PartnerRow.Columns} FROM partners ORDER BY id")).ToList();
        var employers = (await connection.QueryAsync<(int PartnerId, int EmployerId)>("SELECT partner_id, employer_id FROM partner_employers ORDER BY employer_id"))
            .ToLookup(pair => pair.PartnerId, pair => pair.EmployerId);
        return rows.Select(row => row.ToAccount(employers[row.Id].ToList())).ToList();
    }

    public async Task<PartnerAccount?> FindAsync(int partnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PartnerRow>($"SELECT {PartnerRow.Columns} FROM partners WHERE id = @partnerId", new { partnerId });
        return row?.ToAccount((await connection.QueryAsync<int>("SELECT employer_id FROM partner_employers WHERE partner_id = @partnerId ORDER BY employer_id", new { partnerId })).ToList());
    }

    /// <summary>Employer ids among <paramref name="employerIds"/> that do not exist.</summary>
    public async Task<IReadOnlyList<int>> MissingEmployersAsync(IReadOnlyList<int> employerIds, CancellationToken cancellationToken)
    {
        if (employerIds.Count == 0)
        {
            return [];
        }

        await using var connection = await connections.OpenAsync(cancellationToken);
        var existing = (await connection.QueryAsync<int>("SELECT id FROM employers WHERE id IN @employerIds", new { employerIds })).ToHashSet();
        return employerIds.Where(id => !existing.Contains(id)).Distinct().ToList();
    }

    public async Task<bool> ClientIdTakenAsync(string clientId, int? exceptPartnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM partners WHERE client_id = @clientId AND (@exceptPartnerId IS NULL OR id <> @exceptPartnerId)", new { clientId, exceptPartnerId }) > 0;
    }

    /// <summary>Creates (<paramref name="partnerId"/> null) or replaces a partner's settings and employers, in one transaction.</summary>
    public async Task<int> SaveAsync(int? partnerId, PartnerSettings settings, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var previousClientId = partnerId is null ? null : await connection.ExecuteScalarAsync<string>("SELECT client_id FROM partners WHERE id = @partnerId", new { partnerId }, transaction);
        var id = partnerId ?? await connection.ExecuteScalarAsync<int>("SELECT COALESCE(MAX(id), 0) + 1 FROM partners", transaction: transaction);
        var values = new
        {
            id,
            name = settings.Name.Trim(),
            clientId = settings.ClientId,
            active = settings.Active ? 1 : 0,
            ipAllowlist = Join(settings.IpAllowlist),
            allowedReports = Join(settings.AllowedReports.Select(r => r.ToLowerInvariant())),
            allowedFormats = Join(settings.AllowedFormats.Select(f => f.ToLowerInvariant())),
            deleteOutbox = settings.DeleteDropFolderFilesAfterDelivery ? 1 : 0,
            createdAt = clock.GetUtcNow().UtcDateTime,
        };
        await connection.ExecuteAsync(
            partnerId is null
                ? "INSERT INTO partners (id, name, client_id, active, ip_allowlist, allowed_reports, allowed_formats, delete_outbox_after_delivery, created_at) VALUES (@id, @name, @clientId, @active, @ipAllowlist, @allowedReports, @allowedFormats, @deleteOutbox, @createdAt)"
                : "UPDATE partners SET name = @name, client_id = @clientId, active = @active, ip_allowlist = @ipAllowlist, allowed_reports = @allowedReports, allowed_formats = @allowedFormats, delete_outbox_after_delivery = @deleteOutbox WHERE id = @id",
            values,
            transaction);
        await connection.ExecuteAsync("DELETE FROM partner_employers WHERE partner_id = @id", new { id }, transaction);
        await connection.ExecuteAsync(
            "INSERT INTO partner_employers (partner_id, employer_id) VALUES (@partnerId, @employerId)",
            settings.EmployerIds.Distinct().Select(employerId => new { partnerId = id, employerId }),
            transaction);
        await transaction.CommitAsync(cancellationToken);
        registry.Forget(settings.ClientId);
        if (previousClientId is not null)
        {
            registry.Forget(previousClientId);
        }

        return id;
    }

    public async Task SetPgpKeyAsync(int partnerId, string armoredPublicKey, string fingerprint, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE partners SET pgp_public_key = @armoredPublicKey, pgp_fingerprint = @fingerprint WHERE id = @partnerId",
            new { partnerId, armoredPublicKey, fingerprint });
    }

    public async Task SetDeliveryAsync(int partnerId, DeliveryTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE partners SET delivery_kind = @kind, remote_directory = @RemoteDirectory, folder_path = @FolderPath, sftp_host = @Host,
              sftp_port = @Port, sftp_user = @User, sftp_host_key = @HostKey, sftp_private_key_secret = @PrivateKeySecret,
              sftp_passphrase_secret = @PassphraseSecret, sftp_password_secret = @PasswordSecret, connector_id = @ConnectorId
            WHERE id = @partnerId
            """,
            new
            {
                partnerId, kind = target.Kind.ToString(), target.RemoteDirectory, target.FolderPath, target.Host, target.Port, target.User, target.HostKey,
                target.PrivateKeySecret, target.PassphraseSecret, target.PasswordSecret, target.ConnectorId,
            });
    }

    private async Task<PartnerRow?> FindRowAsync(int partnerId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<PartnerRow>($"SELECT {PartnerRow.Columns} FROM partners WHERE id = @partnerId", new { partnerId });
    }

    private static string? Join(IEnumerable<string> values) =>
        !values.Any() ? null : string.Join(", ", values.Select(value => value.Trim()));
}
