import OrderedCollections
import APIMachinery
import Resources

/// Validation of writes through the `status` subresource of the built-in kinds that have rules
/// for it (`ValidateDeploymentStatusUpdate`, `ValidateStatefulSetStatusUpdate`): counts are not
/// negative and none exceeds what it is a part of.
extension BuiltinKinds {
    /// What kube-apiserver finds wrong with the status of `object` written through `status`.
    ///
    /// ```swift
    /// BuiltinKinds.statusValidationCauses(deployment, kind: deployment.groupVersionKind)
    /// // [status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas]
    /// ```
    public static func statusValidationCauses(_ object: Resource, kind: GroupVersionKind) -> [APIError.Cause] {
        switch (kind.group, kind.version, kind.kind) {
        case ("apps", "v1", "Deployment"):
            replicaCountCauses(
                object.status,
                counts: ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                         "unavailableReplicas", "terminatingReplicas", "collisionCount"],
                bounded: ["updatedReplicas", "readyReplicas", "availableReplicas"],
                availableBeyondReady: "cannot be greater than readyReplicas")
        case ("apps", "v1", "StatefulSet"):
            replicaCountCauses(
                object.status,
                counts: ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas",
                         "observedGeneration", "collisionCount"],
                bounded: ["readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"],
                availableBeyondReady: "cannot be greater than status.readyReplicas")
        case ("apps", "v1", "ReplicaSet"):
            replicaCountCauses(
                object.status,
                counts: ["replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration",
                         "terminatingReplicas"],
                bounded: ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"],
                availableBeyondReady: "cannot be greater than readyReplicas")
        case ("apps", "v1", "DaemonSet"):
            ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady", "observedGeneration",
             "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "collisionCount"]
                .flatMap { FieldRules.nonNegative("status.\($0)", object.status?[$0]) }
        default: []
        }
    }

    /// Non-negative `counts`, each of `bounded` at most `status.replicas`, and available replicas
    /// at most ready ones (kube's two kinds word that last message differently).
    private static func replicaCountCauses(
        _ status: JSONValue?, counts: [String], bounded: [String], availableBeyondReady: String
    ) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        for field in counts {
            causes += FieldRules.nonNegative("status.\(field)", status?[field])
        }
        func count(_ field: String) -> Int64 { status?[field]?.intValue ?? 0 }
        let replicas = count("replicas")
        for field in bounded where count(field) > replicas {
            causes.append(FieldErrors.invalid("status.\(field)", value: .int(count(field)),
                                              "cannot be greater than status.replicas"))
        }
        if count("availableReplicas") > count("readyReplicas") {
            causes.append(FieldErrors.invalid("status.availableReplicas", value: .int(count("availableReplicas")),
                                              availableBeyondReady))
        }
        return causes
    }
}
