import Foundation

/// A rectangle of a mosaic canvas, in pixels from its top-left corner.
///
/// The rectangles `MosaicLayout.tiles(width:height:)` returns have even coordinates and sizes,
/// so each one maps onto whole chroma samples of a YUV 4:2:0 picture.
public struct TileRect: Sendable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    /// Whether the two rectangles share at least one pixel.
    public func overlaps(_ other: TileRect) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }

    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}

/// How a mosaic divides its canvas among its inputs.
///
/// The raw value is the name operators and the API use ("2x2", "1+5").
public enum MosaicLayout: String, CaseIterable, Sendable {
    /// One input filling the canvas.
    case single = "1x1"
    case grid2 = "2x2"
    case grid3 = "3x3"
    case grid4 = "4x4"
    /// One large tile (two thirds of the width and height) at the top left, two small tiles
    /// down the right column and three along the bottom row: a main view with five others.
    case onePlusFive = "1+5"

    /// Parses a layout name as an operator would type it: surrounding spaces, upper case and
    /// "×" for "x" are accepted ("2X2", " 3×3 ").
    public init?(parsing text: String) {
        let normalized = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "×", with: "x")
        self.init(rawValue: normalized)
    }

    /// How many inputs the layout shows.
    public var tileCount: Int {
        switch self {
        case .single: 1
        case .grid2: 4
        case .grid3: 9
        case .grid4: 16
        case .onePlusFive: 6
        }
    }

    /// The tiles of a `width`×`height` canvas, in input order: row by row for grids; for 1+5
    /// the large tile, then the right column top to bottom, then the bottom row left to right.
    ///
    /// The canvas is taken rounded down to even sizes; the tiles then cover it exactly, without
    /// overlap, every coordinate and size even. Tiles of one row or column differ by at most
    /// 2 pixels where the canvas does not divide evenly. A canvas smaller than 2 pixels per
    /// tile gives empty tiles.
    public func tiles(width: Int, height: Int) -> [TileRect] {
        let width = max(0, width) & ~1, height = max(0, height) & ~1
        switch self {
        case .single, .grid2, .grid3, .grid4:
            let count = gridSize
            let columns = Self.evenCuts(of: width, into: count), rows = Self.evenCuts(of: height, into: count)
            return (0..<count).flatMap { row in
                (0..<count).map { column in
                    TileRect(x: columns[column], y: rows[row],
                             width: columns[column + 1] - columns[column], height: rows[row + 1] - rows[row])
                }
            }
        case .onePlusFive:
            // A 3×3 grid whose top-left 2×2 cells merge into the large tile.
            let columns = Self.evenCuts(of: width, into: 3), rows = Self.evenCuts(of: height, into: 3)
            func cell(column: Int, row: Int, columnSpan: Int = 1, rowSpan: Int = 1) -> TileRect {
                TileRect(x: columns[column], y: rows[row],
                         width: columns[column + columnSpan] - columns[column], height: rows[row + rowSpan] - rows[row])
            }
            return [
                cell(column: 0, row: 0, columnSpan: 2, rowSpan: 2),
                cell(column: 2, row: 0),
                cell(column: 2, row: 1),
                cell(column: 0, row: 2),
                cell(column: 1, row: 2),
                cell(column: 2, row: 2),
            ]
        }
    }

    /// Tiles per row and per column of the grid layouts.
    private var gridSize: Int {
        switch self {
        case .single: 1
        case .grid2: 2
        case .grid3: 3
        case .grid4: 4
        case .onePlusFive: 3
        }
    }

    /// `count + 1` even boundaries from 0 to `length` (even) that split it into nearly equal parts.
    private static func evenCuts(of length: Int, into count: Int) -> [Int] {
        (0...count).map { index in index == count ? length : (index * length / count) & ~1 }
    }
}

extension MosaicLayout: CustomStringConvertible {
    public var description: String { rawValue }
}
