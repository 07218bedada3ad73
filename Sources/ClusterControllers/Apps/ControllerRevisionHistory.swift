import Foundation
import OrderedCollections
import Resources

/// The ControllerRevisions of StatefulSets and DaemonSets, as kube-controller-manager's history
/// package keeps them: a revision's `data` is a strategic merge patch replacing
/// `spec.template` (`{"spec":{"template":{…,"$patch":"replace"}}}`), its `revision` counts up,
/// and its name is the owner's name and a hash of the data.
///
/// The data is compared and hashed as Go's `encoding/json` writes it (members sorted by key,
/// compact, `<`, `>` and `&` escaped), so a StatefulSet's revision names are the very ones
/// kube-controller-manager gives (`web-7cc9cf8cd5`).
///
/// ```swift
/// let data = ControllerRevisionHistory.data(of: statefulSet)
/// let hash = ControllerRevisionHistory.hash(of: data, collisionCount: 0)   // "7cc9cf8cd5"
/// ```
enum ControllerRevisionHistory {
    /// The kind.
    static let kind = GroupVersionKind(group: "apps", version: "v1", kind: "ControllerRevision")
    /// The label a StatefulSet's revisions carry with their hash.
    static let hashLabel = "controller.kubernetes.io/hash"

    /// The data of a revision of `owner` (a StatefulSet or DaemonSet): its pod template with
    /// `$patch: replace`, under `spec.template`.
    static func data(of owner: Resource) -> JSONValue {
        var template = owner.spec?["template"]?.objectValue ?? [:]
        template["$patch"] = "replace"
        return ["spec": ["template": .object(template)]]
    }

    /// The pod template a revision's data restores (`spec.template` without `$patch`).
    static func template(of revision: Resource) -> JSONValue? {
        guard var template = revision.object["data"]?["spec"]?["template"]?.objectValue else { return nil }
        template["$patch"] = nil
        return .object(template)
    }

    /// `value` as Go's `json.Marshal` writes a `map[string]interface{}`: compact, members sorted
    /// by key, and `<`, `>`, `&`, U+2028 and U+2029 escaped.
    static func goJSON(_ value: JSONValue) -> [UInt8] {
        let plain = value.jsonBytes(sortedKeys: true)
        var out: [UInt8] = []
        out.reserveCapacity(plain.count)
        var index = 0
        // These characters only occur inside strings, so replacing them byte by byte is exact.
        while index < plain.count {
            let byte = plain[index]
            switch byte {
            case UInt8(ascii: "<"): out.append(contentsOf: Array(#"\u003c"#.utf8))
            case UInt8(ascii: ">"): out.append(contentsOf: Array(#"\u003e"#.utf8))
            case UInt8(ascii: "&"): out.append(contentsOf: Array(#"\u0026"#.utf8))
            case 0xE2 where index + 2 < plain.count && plain[index + 1] == 0x80
                && (plain[index + 2] == 0xA8 || plain[index + 2] == 0xA9):
                out.append(contentsOf: Array((plain[index + 2] == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8))
                index += 2
            default: out.append(byte)
            }
            index += 1
        }
        return out
    }

    /// Whether two revisions' data are equal, as kube compares them (their encoded bytes).
    static func sameData(_ lhs: JSONValue?, _ rhs: JSONValue?) -> Bool {
        guard let lhs, let rhs else { return lhs == nil && rhs == nil }
        return goJSON(lhs) == goJSON(rhs)
    }

    /// The hash naming a revision: FNV-1 (32 bits) of the data's encoding followed by the decimal
    /// collision count, written in kube's safe alphabet (no vowels, no look-alike digits).
    static func hash(of data: JSONValue, collisionCount: Int64?) -> String {
        var hash: UInt32 = 2_166_136_261
        func add(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash = hash &* 16_777_619
                hash ^= UInt32(byte)
            }
        }
        add(goJSON(data))
        if let collisionCount { add(String(collisionCount).utf8) }
        return safeEncoded(String(hash))
    }

    /// `text` with each byte mapped into `bcdfghjklmnpqrstvwxz2456789`, as kube's
    /// `rand.SafeEncodeString` does.
    static func safeEncoded(_ text: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String(text.utf8.map { alphabet[Int($0) % alphabet.count] })
    }

    /// `prefix-hash`, the prefix cut to 223 characters so that the name fits in 253.
    static func name(prefix: String, hash: String) -> String {
        "\(prefix.utf8.count > 223 ? String(decoding: Array(prefix.utf8.prefix(223)), as: UTF8.self) : prefix)-\(hash)"
    }

    /// `revisions` ordered as kube orders history: by `revision`, then creation time, then name.
    static func sorted(_ revisions: [Resource]) -> [Resource] {
        revisions.sorted { lhs, rhs in
            let (l, r) = (number(of: lhs), number(of: rhs))
            if l != r { return l < r }
            let (lt, rt) = (lhs.creationTimestamp ?? "", rhs.creationTimestamp ?? "")
            if lt != rt { return lt < rt }
            return lhs.name < rhs.name
        }
    }

    /// A revision's `revision` number.
    static func number(of revision: Resource) -> Int64 {
        revision.object["revision"]?.intValue ?? 0
    }

    /// A new revision of `owner` (of `kind`) named `name`, with `labels`, `annotations`, `data`
    /// and `number`.
    static func revision(
        of owner: Resource, kind: GroupVersionKind, name: String, labels: JSONObject, annotations: JSONObject,
        data: JSONValue, number: Int64
    ) -> Resource {
        var revision = Resource(apiVersion: "apps/v1", kind: "ControllerRevision", name: name, namespace: owner.namespace)
        revision.withMetadata { metadata in
            if !labels.isEmpty { metadata["labels"] = .object(labels) }
            if !annotations.isEmpty { metadata["annotations"] = .object(annotations) }
            metadata["ownerReferences"] = [ControllerReferences.reference(to: owner, kind: kind)]
        }
        revision.object["data"] = data
        revision.object["revision"] = .int(number)
        return revision
    }
}
