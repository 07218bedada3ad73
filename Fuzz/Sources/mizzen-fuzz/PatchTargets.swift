import FuzzSupport
import APIMachinery
import Resources

/// The three patch formats of `PATCH`: JSON patch (RFC 6902), merge patch (RFC 7386) and
/// strategic merge patch, on a Deployment or, when the input holds a NUL byte, on the JSON
/// before it (the patch is what follows).
enum PatchTargets {
    static let deployment: JSONValue = {
        let json = #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"},"#
            + #""finalizers":["a"]},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"#
            + #""template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"main","image":"nginx","#
            + #""ports":[{"containerPort":80,"protocol":"TCP"}],"env":[{"name":"A","value":"1"}]}],"#
            + #""volumes":[{"name":"v","emptyDir":{}}]}}}}"#
        return try! JSONValue(parsingJSON: json)
    }()
    static let schema = PatchSchema.builtin(group: "apps", kind: "Deployment")!

    /// The target and the patch of an input; `nil` when either is not JSON.
    static func documents(_ bytes: [UInt8]) -> (target: JSONValue, patch: JSONValue)? {
        let (first, rest) = split(bytes)
        guard let patch = try? JSONValue(parsingJSON: rest) else { return nil }
        guard let first else { return (deployment, patch) }
        guard let target = try? JSONValue(parsingJSON: first) else { return nil }
        return (target, patch)
    }

    static func jsonPatch(_ bytes: [UInt8]) {
        guard let (target, patch) = documents(bytes) else { return }
        _ = try? JSONPatch.apply(patch, to: target)
    }

    static func mergePatch(_ bytes: [UInt8]) {
        guard let (target, patch) = documents(bytes) else { return }
        let once = JSONMergePatch.apply(patch, to: target)
        // RFC 7386 merge patches are idempotent.
        let twice = JSONMergePatch.apply(patch, to: once)
        if twice != once { broken("applying \(patch) twice differs from once") }
    }

    static func strategicMergePatch(_ bytes: [UInt8]) {
        guard let (target, patch) = documents(bytes) else { return }
        _ = try? StrategicMergePatch.apply(patch, to: target, schema: schema)
        _ = try? StrategicMergePatch.apply(patch, to: target, schema: PatchSchema(rules: [:]))
    }
}
