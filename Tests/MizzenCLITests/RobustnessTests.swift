import Foundation
import Testing

/// Faults under load (issue 15): the embedded plane killed, its watches cut, slowed and
/// stalled, while writers, watchers and the OAM controllers keep working; nothing acknowledged
/// is lost and everything converges once the faults stop.
///
/// The short plan runs with the suite; `MIZZEN_ROBUSTNESS=long swift test --filter
/// RobustnessTests` runs the release plan (100 kills) and prints its figures.
@Suite("Robustness of mizzen serve under load and faults", .serialized)
struct RobustnessTests {
    @Test("SIGKILLs under load lose no acknowledged write, keep watchers consistent and let every application converge",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func killsUnderLoad() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-robust-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = RobustnessPlan.selected
        let figures = try await RobustnessRun.run(plan, directory: directory)
        print(figures)
        #expect(figures.kills == plan.kills)
        #expect(figures.violations.isEmpty, "\(figures.violations.prefix(20).joined(separator: "\n"))")
        #expect(figures.ledger.acknowledgedWrites > plan.kills * 5, "the writers got too little done to prove anything")
        #expect(figures.watches.map(\.events).reduce(0, +) > 0, "the watchers saw no event")
        #expect(figures.applicationsConverged == plan.applications)
    }
}
