import ClusterControllers
import Testing

@Suite("The plane's controllers")
struct ClusterControllersRegistryTests {
    @Test("every area's controllers register on a manager and stop with the plane")
    func registersAndStops() async throws {
        try await Plane.with { plane in
            let pods = try await plane.list(.pod)
            #expect(pods.isEmpty)
        }
    }
}
