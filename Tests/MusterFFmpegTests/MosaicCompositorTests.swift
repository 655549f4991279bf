@testable import MusterFFmpeg
import Testing

@Suite struct MosaicLayoutTests {
    static let sizes = [(320, 240), (1920, 1080), (1280, 720), (1366, 768), (1000, 1000), (642, 362), (17, 13), (48, 48)]

    @Test(arguments: MosaicLayout.allCases)
    func tilesAreEvenInBoundsDisjointAndCoverTheCanvas(layout: MosaicLayout) {
        for (width, height) in Self.sizes {
            let tiles = layout.tiles(width: width, height: height)
            let canvasWidth = width & ~1, canvasHeight = height & ~1
            #expect(tiles.count == layout.tileCount)
            for tile in tiles {
                #expect([tile.x, tile.y, tile.width, tile.height].allSatisfy { $0 % 2 == 0 }, "\(layout) \(width)x\(height): \(tile)")
                #expect(tile.width > 0 && tile.height > 0, "\(layout) \(width)x\(height): \(tile)")
                #expect(tile.x >= 0 && tile.y >= 0 && tile.maxX <= canvasWidth && tile.maxY <= canvasHeight,
                        "\(layout) \(width)x\(height): \(tile)")
            }
            for (index, tile) in tiles.enumerated() {
                for other in tiles[(index + 1)...] {
                    #expect(!tile.overlaps(other), "\(layout) \(width)x\(height): \(tile) overlaps \(other)")
                }
            }
            // Disjoint and in bounds, so equal areas mean the canvas is covered.
            #expect(tiles.map { $0.width * $0.height }.reduce(0, +) == canvasWidth * canvasHeight, "\(layout) \(width)x\(height)")
        }
    }

    @Test func onePlusFiveHasOneLargeTileAndFiveSmallOnes() {
        let tiles = MosaicLayout.onePlusFive.tiles(width: 1920, height: 1080)
        #expect(tiles[0] == TileRect(x: 0, y: 0, width: 1280, height: 720))
        // The right column, top to bottom.
        #expect(tiles[1] == TileRect(x: 1280, y: 0, width: 640, height: 360))
        #expect(tiles[2] == TileRect(x: 1280, y: 360, width: 640, height: 360))
        // The bottom row, left to right.
        #expect(tiles[3...].map(\.y) == [720, 720, 720])
        #expect(tiles[3...].map(\.x) == [0, 640, 1280])
        #expect(tiles[1...].allSatisfy { $0.width == 640 && $0.height == 360 })
    }

    @Test func gridsGoRowByRow() {
        let tiles = MosaicLayout.grid2.tiles(width: 320, height: 240)
        #expect(tiles == [
            TileRect(x: 0, y: 0, width: 160, height: 120), TileRect(x: 160, y: 0, width: 160, height: 120),
            TileRect(x: 0, y: 120, width: 160, height: 120), TileRect(x: 160, y: 120, width: 160, height: 120),
        ])
        #expect(MosaicLayout.single.tiles(width: 641, height: 480) == [TileRect(x: 0, y: 0, width: 640, height: 480)])
    }

    @Test func parsesWhatOperatorsType() {
        #expect(MosaicLayout(parsing: "2x2") == .grid2)
        #expect(MosaicLayout(parsing: " 3X3 ") == .grid3)
        #expect(MosaicLayout(parsing: "4×4") == .grid4)
        #expect(MosaicLayout(parsing: "1+5") == .onePlusFive)
        #expect(MosaicLayout(parsing: "1x1") == .single)
        #expect(MosaicLayout(parsing: "5x5") == nil)
        #expect(MosaicLayout(parsing: "") == nil)
        #expect(MosaicLayout.allCases.allSatisfy { MosaicLayout(parsing: $0.description) == $0 })
        #expect(MosaicLayout.allCases.map(\.tileCount) == [1, 4, 9, 16, 6])
    }
}
