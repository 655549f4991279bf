import Foundation
import MusterDirectory
import Synchronization

/// Every known unit with its last position, in memory, indexed by a grid of fixed-size cells so
/// that "units near this point" reads a handful of cells instead of every unit. Updated for each
/// stored position (tens of thousands per second), so an update is a few array writes: units
/// live in slots, and each cell lists the slots of the units inside it.
struct LiveUnitTable {
    struct Entry {
        var id: String
        var name: String
        var kind: UnitKind
        var position: UnitPosition?
        /// The cell the position lies in, and the entry's index in that cell's list.
        var cell: Int?
        var indexInCell = 0
        /// As last announced by an online/offline event.
        var announcedOnline = false
        /// The position changed since it was last saved to the directory.
        var unsaved = false
    }

    /// Cells of 0.02° (about 2.2 km north–south): a 2 km radius reads about 9 to 16 cells.
    static let cellDegrees = 0.02
    private static let longitudeCells = Int((360 / cellDegrees).rounded(.up)) + 1

    /// The slots of entries marked `unsaved` (a slot may repeat, or no longer be marked), and
    /// the journal row up to which those changes reach. Flags rather than a dictionary of
    /// positions: this is touched for every stored position.
    private var unsavedSlots: [Int] = []
    private(set) var unsavedThroughJournalID: Int64 = 0
    private var savedThroughJournalID: Int64 = 0

    private var entries: [Entry?] = []
    private var slotByID: [String: Int] = [:]
    private var freeSlots: [Int] = []
    private var cells: [Int: [Int]] = [:]

    var count: Int { slotByID.count }

    func contains(_ id: String) -> Bool { slotByID[id] != nil }

    func entry(_ id: String) -> Entry? { slotByID[id].flatMap { entries[$0] } }

    /// Adds a unit, or updates its name, kind and (if newer) its position when it is known.
    mutating func insert(id: String, name: String, kind: UnitKind, position: UnitPosition?) {
        if let slot = slotByID[id] {
            entries[slot]?.name = name
            entries[slot]?.kind = kind
            if let position { _ = update(id: id, position: position) }
            return
        }
        let slot = freeSlots.popLast() ?? entries.count
        if slot == entries.count { entries.append(nil) }
        entries[slot] = Entry(id: id, name: name, kind: kind)
        slotByID[id] = slot
        if let position { _ = update(id: id, position: position) }
    }

    mutating func remove(id: String) {
        guard let slot = slotByID.removeValue(forKey: id) else { return }
        leaveCell(slot)
        entries[slot] = nil
        freeSlots.append(slot)
    }

    /// Makes `position` the unit's last one unless it already has a newer one; false if it did
    /// not (or the unit is unknown).
    mutating func update(id: String, position: UnitPosition) -> Bool {
        guard let slot = slotByID[id] else { return false }
        return update(slot: slot, position: position)
    }

    private mutating func update(slot: Int, position: UnitPosition) -> Bool {
        // In place (no copy of the entry and its strings): this runs for every stored position.
        if case .none = entries[slot] { return false }
        if let last = entries[slot]?.position?.deviceTime, last > position.deviceTime { return false }
        let cell = Self.cell(latitude: position.latitude, longitude: position.longitude)
        let previousCell = entries[slot]?.cell
        entries[slot]?.position = position
        if previousCell != cell {
            leaveCell(slot)
            entries[slot]?.cell = cell
            entries[slot]?.indexInCell = cells[cell]?.count ?? 0
            // In place: copying a cell's list out and back would copy it on every move.
            cells[cell, default: []].append(slot)
        }
        return true
    }

    /// What `apply` did.
    enum Applied {
        /// Unknown unit, or it has a newer position already.
        case ignored
        /// The position is the unit's last one now; `cameOnline` when it had not been announced online.
        case updated(cameOnline: Bool)
    }

    /// A stored position: makes it the unit's last one (unless it has a newer one), notes it for
    /// the next save and marks the unit announced online. One lookup for all of it.
    mutating func apply(id: String, position: UnitPosition, journalID: Int64) -> Applied {
        guard let slot = slotByID[id], update(slot: slot, position: position) else { return .ignored }
        markUnsaved(slot)
        noteJournal(through: journalID)
        let cameOnline = entries[slot]?.announcedOnline == false
        if cameOnline { entries[slot]?.announcedOnline = true }
        return .updated(cameOnline: cameOnline)
    }

    /// Notes a stored position that became its unit's last one, for the next save.
    mutating func noteUnsaved(_ unitID: String, journalID: Int64) {
        if let slot = slotByID[unitID] { markUnsaved(slot) }
        noteJournal(through: journalID)
    }

    private mutating func markUnsaved(_ slot: Int) {
        guard entries[slot]?.unsaved == false else { return }
        entries[slot]?.unsaved = true
        unsavedSlots.append(slot)
    }

    /// Notes that the next save covers the journal up to `journalID`.
    mutating func noteJournal(through journalID: Int64) {
        unsavedThroughJournalID = max(unsavedThroughJournalID, journalID)
    }

    /// Hands over the unsaved last positions and the journal id they reach, and forgets them;
    /// nil when there is nothing new to save.
    mutating func takeUnsaved() -> (positions: [UnitPositionRecord], journalID: Int64)? {
        guard !unsavedSlots.isEmpty || unsavedThroughJournalID > savedThroughJournalID else { return nil }
        var positions: [UnitPositionRecord] = []
        positions.reserveCapacity(unsavedSlots.count)
        for slot in unsavedSlots {
            guard let entry = entries[slot], entry.unsaved, let position = entry.position else { continue }
            entries[slot]?.unsaved = false
            positions.append(UnitPositionRecord(unitID: entry.id, position: position))
        }
        unsavedSlots.removeAll(keepingCapacity: true)
        return (positions, unsavedThroughJournalID)
    }

    mutating func noteSaved(through journalID: Int64) {
        savedThroughJournalID = max(savedThroughJournalID, journalID)
    }

    /// Marks units whose save failed unsaved again; their last position is the one to save, or a
    /// newer one.
    mutating func restoreUnsaved(_ positions: [UnitPositionRecord]) {
        for record in positions {
            if let slot = slotByID[record.unitID] { markUnsaved(slot) }
        }
    }

    /// Units whose last position lies in the box, in no particular order.
    func entries(in box: GeoMath.Box) -> [Entry] {
        let south = Self.row(box.latitudes.lowerBound), north = Self.row(box.latitudes.upperBound)
        let west = Self.column(box.longitudes.lowerBound), east = Self.column(box.longitudes.upperBound)
        var found: [Entry] = []
        func collect(_ slots: [Int]) {
            for slot in slots {
                guard let entry = entries[slot], let position = entry.position,
                      box.contains(latitude: position.latitude, longitude: position.longitude) else { continue }
                found.append(entry)
            }
        }
        let cellsInBox = (north - south + 1) * (east - west + 1)
        if cellsInBox > cells.count {
            // A box larger than the occupied area: walking the occupied cells is cheaper.
            for (cell, slots) in cells {
                let row = cell / Self.longitudeCells, column = cell % Self.longitudeCells
                if (south...north).contains(row) && (west...east).contains(column) { collect(slots) }
            }
        } else {
            for row in south...north {
                for column in west...east {
                    if let slots = cells[row * Self.longitudeCells + column] { collect(slots) }
                }
            }
        }
        return found
    }

    /// How many units satisfy `condition`, without copying the table.
    func count(where condition: (Entry) -> Bool) -> Int {
        var count = 0
        for case let entry? in entries where condition(entry) { count += 1 }
        return count
    }

    /// The ids of the units that satisfy `condition`, without copying the table.
    func ids(where condition: (Entry) -> Bool) -> [String] {
        var ids: [String] = []
        for case let entry? in entries where condition(entry) { ids.append(entry.id) }
        return ids
    }

    mutating func setAnnouncedOnline(_ id: String, _ online: Bool) {
        guard let slot = slotByID[id] else { return }
        entries[slot]?.announcedOnline = online
    }

    private mutating func leaveCell(_ slot: Int) {
        guard let cell = entries[slot]?.cell, let index = entries[slot]?.indexInCell,
              let last = cells[cell]?.removeLast() else { return }
        // Swap-remove: the last member takes the leaving one's index.
        if last != slot {
            cells[cell]?[index] = last
            entries[last]?.indexInCell = index
        }
        if cells[cell]?.isEmpty == true { cells[cell] = nil }
        entries[slot]?.cell = nil
    }

    private static func row(_ latitude: Double) -> Int { Int(((latitude + 90) / cellDegrees).rounded(.down)) }
    private static func column(_ longitude: Double) -> Int { Int(((longitude + 180) / cellDegrees).rounded(.down)) }
    private static func cell(latitude: Double, longitude: Double) -> Int { row(latitude) * longitudeCells + column(longitude) }
}

/// The table behind a lock, shared by the tracker and its writer's commit callback.
final class SharedLiveUnitTable: Sendable {
    private let table = Mutex(LiveUnitTable())

    func withLock<Result: Sendable>(_ body: (inout LiveUnitTable) -> Result) -> Result {
        table.withLock { body(&$0) }
    }
}
