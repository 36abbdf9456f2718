import StagecraftOutput
import XCTest

final class PipelineSmokeTests: XCTestCase {
    func testExamplesRender() throws {
        for name in Fixtures.examples {
            let generation = try Fixtures.renderer.render(try Fixtures.example(name))
            XCTAssertNotNil(generation.files[Manifest.path], name)
        }
    }
}
