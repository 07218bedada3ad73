import Foundation
import OrderedCollections
import Resources
import Testing

@testable import mizzen

@Suite("Unified diff and object comparison (pure)")
struct UnifiedDiffTests {
    private static func text(_ lines: some Sequence<String>) -> String {
        lines.map { $0 + "\n" }.joined()
    }

    @Test("the same text gives no hunk and no output")
    func sameText() {
        let diff = UnifiedDiff(old: "a\nb\n", new: "a\nb\n", oldLabel: "old", newLabel: "new")
        #expect(diff.isEmpty)
        #expect(diff.text(on: .plain) == "")
    }

    @Test("one changed line shows with three lines of context on each side")
    func oneChange() {
        let old = Self.text((1...10).map { "line \($0)" })
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        let diff = UnifiedDiff(old: old, new: new, oldLabel: "live/ConfigMap/x", newLabel: "desired/ConfigMap/x")
        #expect(diff.text(on: .plain) == """
            --- live/ConfigMap/x
            +++ desired/ConfigMap/x
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8

            """)
        #expect(diff.counts.added == 1)
        #expect(diff.counts.removed == 1)
    }

    @Test("a text added to nothing is one hunk from line 0, as diff -u writes it")
    func allAdded() {
        let diff = UnifiedDiff(old: "", new: "a\nb\nc\n", oldLabel: "live/Secret/s", newLabel: "desired/Secret/s")
        #expect(diff.hunks.count == 1)
        #expect(diff.hunks[0].header == "@@ -0,0 +1,3 @@")
        #expect(diff.text(on: .plain).hasSuffix("+a\n+b\n+c\n"))
        let removed = UnifiedDiff(old: "a\n", new: "", oldLabel: "o", newLabel: "n")
        #expect(removed.hunks[0].header == "@@ -1 +0,0 @@")
    }

    @Test("changes far apart get a hunk each; changes close together share one")
    func hunkGrouping() {
        let old = (1...30).map { "l\($0)" }
        var far = old
        far[2] = "x"
        far[25] = "y"
        #expect(UnifiedDiff(old: Self.text(old), new: Self.text(far), oldLabel: "o", newLabel: "n").hunks.count == 2)
        var near = old
        near[2] = "x"
        near[8] = "y"
        let diff = UnifiedDiff(old: Self.text(old), new: Self.text(near), oldLabel: "o", newLabel: "n")
        #expect(diff.hunks.count == 1)
        #expect(diff.hunks[0].header == "@@ -1,12 +1,12 @@")
    }

    @Test("the edit script is a shortest one (Myers' example: ABCABBA to CBABAC in 5 edits)")
    func shortestScript() {
        let edits = UnifiedDiff.edits("ABCABBA".map(String.init), "CBABAC".map(String.init))
        #expect(edits.filter(\.isChange).count == 5)
    }

    @Test("the edit script turns the old lines into the new ones", arguments: 0..<40)
    func scriptReplays(seed: Int) {
        var generator = SeededGenerator(seed: UInt64(seed) + 1)
        let alphabet = ["a", "b", "c", "d"]
        let old = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
        let new = (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
        let edits = UnifiedDiff.edits(old, new)
        var before: [String] = []
        var after: [String] = []
        for edit in edits {
            switch edit {
            case .same(let line): before.append(line); after.append(line)
            case .removed(let line): before.append(line)
            case .added(let line): after.append(line)
            }
        }
        #expect(before == old)
        #expect(after == new)
    }

    @Test("colour only when the terminal allows it")
    func colour() {
        let diff = UnifiedDiff(old: "a\n", new: "b\n", oldLabel: "o", newLabel: "n")
        #expect(!diff.text(on: .plain).contains("\u{1B}["))
        let tty = Terminal(isTTY: true, colors: true, width: 80)
        #expect(diff.text(on: tty).contains("\u{1B}[31m-a\u{1B}[0m"))
        #expect(diff.text(on: tty).contains("\u{1B}[32m+b\u{1B}[0m"))
        #expect(!diff.text(on: Terminal(isTTY: true, colors: false, width: 80)).contains("\u{1B}["))
    }

    @Test("comparison leaves out status, server metadata and the controllers' annotations, and sorts keys")
    func normalisation() throws {
        let object = try JSONValue(parsingJSON: """
            {"kind":"ConfigMap","apiVersion":"v1",
             "metadata":{"name":"x","uid":"u","resourceVersion":"7","generation":2,"creationTimestamp":"t",
                         "managedFields":[{}],"annotations":{"mizzen.oam.dev/applied-hash":"ab"}},
             "data":{"b":"2","a":"1"},"status":{"ready":true}}
            """)
        #expect(ComparableObject.yaml(object) == """
            apiVersion: v1
            data:
              a: "1"
              b: "2"
            kind: ConfigMap
            metadata:
              name: x

            """)
    }

    @Test("Secret values are hidden, marked before and after where they differ")
    func secrets() throws {
        let live = try JSONValue(parsingJSON: #"{"apiVersion":"v1","kind":"Secret","data":{"a":"eA==","b":"eQ=="}}"#)
        let desired = try JSONValue(parsingJSON: #"{"apiVersion":"v1","kind":"Secret","data":{"a":"eA==","b":"eg=="}}"#)
        let masked = ComparableObject.maskingSecrets(live: live, desired: desired)
        #expect(masked.live?["data"] == ["a": "***", "b": "*** (before)"])
        #expect(masked.desired?["data"] == ["a": "***", "b": "*** (after)"])
    }

    @Test("drift is the fields another manager than Mizzen's holds, status writes and the cluster's bookkeeping aside")
    func drift() throws {
        let object = try Resource(JSONValue(parsingJSON: """
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","annotations":{"team":"payments"},"managedFields":[
               {"manager":"mizzen","operation":"Apply","apiVersion":"apps/v1","fieldsType":"FieldsV1",
                "fieldsV1":{"f:spec":{"f:replicas":{}}}},
               {"manager":"kubectl-annotate","operation":"Update","apiVersion":"apps/v1","time":"2026-01-01T00:00:00Z",
                "fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},"f:team":{}}}}},
               {"manager":"kubectl-edit","operation":"Update","apiVersion":"apps/v1","fieldsType":"FieldsV1",
                "fieldsV1":{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"web\\"}":{"f:image":{}}}}}}}},
               {"manager":"node-simulator","operation":"Update","apiVersion":"apps/v1","subresource":"status",
                "fieldsType":"FieldsV1","fieldsV1":{"f:status":{"f:readyReplicas":{}}}},
               {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","fieldsType":"FieldsV1",
                "fieldsV1":{"f:metadata":{"f:annotations":{"f:deployment.kubernetes.io/revision":{}}}}}]},
             "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"web:2"}]}}}}
            """))
        let fields = Drift.fields(of: object)
        #expect(fields.map(\.path) == [".metadata.annotations.team", #".spec.template.spec.containers[name="web"].image"#])
        #expect(fields.map(\.value) == ["payments", "web:2"])
        #expect(fields.map(\.manager) == ["kubectl-annotate", "kubectl-edit"])
    }

    @Test("removing a component from an AppConfig removes its workload and traits")
    func removedReferences() throws {
        let live = try Resource(JSONValue(parsingJSON: """
            {"apiVersion":"core.oam.dev/v1alpha2","kind":"ApplicationConfiguration","metadata":{"name":"shop"},
             "spec":{"components":[{"componentName":"web"},{"componentName":"db"}]},
             "status":{"workloads":[
               {"componentName":"web","workloadRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},
                "traits":[{"traitRef":{"apiVersion":"core.oam.dev/v1alpha2","kind":"ManualScalerTrait","name":"web-scaler"}}]},
               {"componentName":"db","workloadRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"db"}}]}}
            """))
        let desired = try Resource(JSONValue(parsingJSON: """
            {"apiVersion":"core.oam.dev/v1alpha2","kind":"ApplicationConfiguration","metadata":{"name":"shop"},
             "spec":{"components":[{"componentName":"web"}]}}
            """))
        let removed = DiffReport.removedReferences(live: live, desired: desired)
        #expect(removed.map { "\($0.kind)/\($0.name)" } == ["ManualScalerTrait/web-scaler", "Deployment/db"])
    }
}

/// A small deterministic random number generator (SplitMix64), for repeatable generated cases.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
