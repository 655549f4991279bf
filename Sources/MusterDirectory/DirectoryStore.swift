import Foundation
import MusterCore

/// The source of truth for channels, units, API tokens and the audit trail. Every mutating call
/// returns only after the change is durable. SQLite (`SQLiteDirectoryStore`) is the embedded
/// default; a PostgreSQL implementation lets several gateways share one directory.
public protocol DirectoryStore: Sendable {
    // Channels
    func createChannel(_ channel: Channel) async throws(DirectoryError) -> Channel
    /// Creates the channel, or replaces every field but `createdAt` if its path exists.
    func upsertChannel(_ channel: Channel) async throws(DirectoryError) -> Channel
    func updateChannel(at path: ChannelPath, with patch: ChannelPatch) async throws(DirectoryError) -> Channel
    @discardableResult
    func deleteChannel(at path: ChannelPath) async throws(DirectoryError) -> Channel
    func channel(at path: ChannelPath) async throws(DirectoryError) -> Channel?
    func channels(matching query: ChannelQuery) async throws(DirectoryError) -> ChannelPage
    func channelCount() async throws(DirectoryError) -> Int
    /// Stores a batch in one transaction; rows whose path is taken (by an earlier row too) are
    /// reported by their `row` number and skipped, the others stored. `upsert` replaces existing
    /// paths instead of reporting them.
    func importChannels(_ rows: [(row: Int, channel: ValidatedChannel)], upsert: Bool) async throws(DirectoryError) -> ChannelImportResult
    /// Channels with a pull source that should run all the time (not on demand).
    func alwaysOnPullChannels() async throws(DirectoryError) -> [Channel]

    // Units
    func createUnit(_ unit: FieldUnit) async throws(DirectoryError) -> FieldUnit
    func updateUnit(id: String, with patch: UnitPatch) async throws(DirectoryError) -> FieldUnit
    @discardableResult
    func deleteUnit(id: String) async throws(DirectoryError) -> FieldUnit
    func unit(id: String) async throws(DirectoryError) -> FieldUnit?
    /// Units ordered by id, after `afterID` when given.
    func units(afterID: String?, limit: Int) async throws(DirectoryError) -> [FieldUnit]
    /// Paths of the channels tied to the unit, sorted.
    func channelPaths(ofUnit id: String) async throws(DirectoryError) -> [ChannelPath]

    // Positions
    /// Appends the positions to the position journal in one transaction; `creatingUnits` that do
    /// not exist yet are created first (auto-registration of unknown devices). Returns the id of
    /// the last journal row written. Units' last positions follow with `saveLastPositions`, and
    /// `compactPositionJournal` moves the journal into the indexed history.
    @discardableResult
    func recordPositions(_ records: [UnitPositionRecord], creatingUnits: [FieldUnit]) async throws(DirectoryError) -> Int64
    /// Makes each position its unit's last one unless the unit has a newer one (by device time),
    /// and notes that the journal up to `journalID` is covered.
    func saveLastPositions(_ records: [UnitPositionRecord], throughJournalID journalID: Int64) async throws(DirectoryError)
    /// Moves the journal rows whose last positions are saved into the history; returns how many.
    func compactPositionJournal() async throws(DirectoryError) -> Int
    /// Journal rows after the last `saveLastPositions`, oldest first, at most `limit`, with their ids.
    func positionsAfterLastSave(afterID: Int64?, limit: Int) async throws(DirectoryError) -> [(id: Int64, record: UnitPositionRecord)]
    /// A unit's history with device times in `from...to`, oldest first: at most `limit`
    /// positions, the oldest of the span or, with `newest`, the newest.
    func positionHistory(ofUnit id: String, from: Date, to: Date, limit: Int, newest: Bool) async throws(DirectoryError) -> [UnitPosition]
    /// Deletes the history received before `cutoff`, in small transactions so position writes go
    /// on meanwhile; returns how many positions went.
    func deletePositionHistory(receivedBefore cutoff: Date) async throws(DirectoryError) -> Int
    /// Channels whose fixed location lies in the box, at most `limit` of them in no particular order.
    func locatedChannels(latitudes: ClosedRange<Double>, longitudes: ClosedRange<Double>, limit: Int) async throws(DirectoryError) -> [LocatedChannel]
    /// The channels tied to any of the units, by path.
    func channels(ofUnits ids: [String]) async throws(DirectoryError) -> [Channel]
    /// The channels at the given paths that exist.
    func channels(at paths: [ChannelPath]) async throws(DirectoryError) -> [Channel]

    // Tokens and audit
    func createToken(_ token: AccessToken) async throws(DirectoryError)
    func token(secretDigest: String) async throws(DirectoryError) -> AccessToken?
    func tokens() async throws(DirectoryError) -> [AccessToken]
    func deleteToken(id: String) async throws(DirectoryError)
    func appendAudit(_ entry: AuditEntry) async throws(DirectoryError)
    /// Newest first.
    func auditEntries(limit: Int) async throws(DirectoryError) -> [AuditEntry]
}
