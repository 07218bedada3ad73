import BuiltinKinds
import Resources
import Testing

/// Writes through the `status` subresource of Deployments and StatefulSets are checked as
/// kube-apiserver checks them (the expected lines are what the kit answered `kubectl patch
/// --subresource=status` with).
@Suite("Built-in kinds' status validation")
struct StatusValidationTests {
    func lines(_ kind: String, status: String) throws -> [String] {
        let object = try Resource(json("""
            {"apiVersion":"apps/v1","kind":"\(kind)","metadata":{"name":"d","namespace":"default"},
             "status":\(status)}
            """))
        return BuiltinKinds.statusValidationCauses(object, kind: object.groupVersionKind).map {
            "\($0.field): \($0.message)"
        }
    }

    @Test("a Deployment's counts are not negative and none exceeds replicas; available ones not ready ones")
    func deployment() throws {
        #expect(try lines("Deployment", status: #"{"replicas":1,"readyReplicas":2,"availableReplicas":3,"updatedReplicas":-1}"#) == [
            "status.updatedReplicas: Invalid value: -1: must be greater than or equal to 0",
            "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas",
            "status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas",
            "status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas",
        ])
        #expect(try lines("Deployment", status: #"{"replicas":3,"readyReplicas":3,"availableReplicas":2,"observedGeneration":4}"#).isEmpty)
        #expect(try lines("Deployment", status: "{}").isEmpty)
    }

    @Test("a StatefulSet's counts follow the same rules, in its own words")
    func statefulSet() throws {
        #expect(try lines("StatefulSet", status: #"{"replicas":1,"currentReplicas":2,"availableReplicas":1,"readyReplicas":0}"#) == [
            "status.currentReplicas: Invalid value: 2: cannot be greater than status.replicas",
            "status.availableReplicas: Invalid value: 1: cannot be greater than status.readyReplicas",
        ])
    }

    @Test("kinds without status rules have none")
    func others() throws {
        #expect(try lines("ControllerRevision", status: #"{"replicas":-1}"#).isEmpty)
    }
}
