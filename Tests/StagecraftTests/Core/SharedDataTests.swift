import Foundation
import StagecraftEmitters
import XCTest

/// The action pins Stagecraft writes into workflows are the project's pin list
/// (Tests/Data/action-pins.json, each action's release tag and the commit it points at):
/// a pin changed in code alone fails here.
final class SharedDataTests: XCTestCase {
    func testEveryActionPinMatchesThePinList() throws {
        let url = Fixtures.repositoryRoot.appendingPathComponent("Tests/Data/action-pins.json")
        let data = try Data(contentsOf: url)
        let actions = try XCTUnwrap((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["actions"] as? [String: [String: Any]])
        XCTAssertFalse(ActionPins.all.isEmpty)
        for pin in ActionPins.all {
            let entry = actions.first { $0.key.lowercased() == pin.repository.lowercased() }?.value
            XCTAssertEqual(entry?["sha"] as? String, pin.sha, pin.repository)
            XCTAssertEqual(entry?["version"] as? String, pin.version, pin.repository)
        }
    }
}
