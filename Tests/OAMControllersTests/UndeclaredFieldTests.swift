import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import Resources
import TestSupport
import Testing

/// A workload or trait that carries a field its kind's schema does not declare: kube-apiserver's
/// server-side apply refuses it (500 `field not declared in schema`), so the AppConfig controller
/// drops such fields first, against the schema the cluster serves (OpenAPI v3), as a create
/// would, and says what it dropped: a Warning `PrunedUndeclaredFields` on the AppConfig once per
/// change, and a `message` on the object's entry of `status.workloads`.
@Suite(.serialized) struct UndeclaredFieldTests {
    static let bar = GroupVersionKind(group: "prune.mizzen.example.com", version: "v1", kind: "Bar")

    /// A trait kind whose schema lacks `spec.foo`, and its TraitDefinition (the same whenever created).
    static let barKind = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: bars.prune.mizzen.example.com}
        spec:
          group: prune.mizzen.example.com
          names: {kind: Bar, plural: bars, singular: bar, listKind: BarList}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size: {type: integer}
                      labels: {type: object, additionalProperties: {type: string}}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: TraitDefinition
        metadata: {name: bars.prune.mizzen.example.com}
        spec:
          definitionRef: {name: bars.prune.mizzen.example.com}
        """

    static func app(size: Int) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: loose}
        spec:
          components:
          - componentName: settings
            traits:
            - trait:
                apiVersion: prune.mizzen.example.com/v1
                kind: Bar
                metadata: {name: loose-bar}
                spec: {size: \(size), foo: x, labels: {a: b}}
        """
    }

    @Test("a trait's and a workload's undeclared fields are dropped and reported; the AppConfig converges",
          arguments: Substrate.available)
    func prunedAndReported(on substrate: Substrate) async throws {
        try await AppConfigSemanticsTests.withRecordedEvents(on: substrate) { runtime, sink in
            try await runtime.create(Self.barKind)
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: settings}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, metadata: {name: loose-settings}, data: {level: high}, colour: red}
                """)
            try await runtime.create(Self.app(size: 1))

            let app = try await runtime.waitFor(Kinds.appConfig, "loose", timeout: .seconds(60)) { app in
                app.valueIfPresent(at: "status.conditions[0].status")?.stringValue == "True"
                    && app.valueIfPresent(at: "status.workloads[0].traits[0].message") != nil
            }
            #expect(AppConfigSemanticsTests.condition(app).reason == "ReconcileSuccess")
            #expect(app.valueIfPresent(at: "status.errors") == nil)

            // The objects exist without what their schemas do not declare.
            let trait = try #require(try await runtime.get(Self.bar, "loose-bar"))
            #expect(trait.valueIfPresent(at: "spec") == ["size": 1, "labels": ["a": "b"]])
            let settings = try #require(try await runtime.get(Kinds.configMap, "loose-settings"))
            #expect(settings.valueIfPresent(at: "colour") == nil)
            #expect(settings.valueIfPresent(at: "data.level") == "high")

            // The status entries say what was dropped, naming the object and the paths.
            #expect(app.valueIfPresent(at: "status.workloads[0].message")?.stringValue
                == "ConfigMap/loose-settings: dropped colour, which the schema the cluster serves for v1 ConfigMap does not declare")
            #expect(app.valueIfPresent(at: "status.workloads[0].traits[0].message")?.stringValue
                == "Bar/loose-bar: dropped spec.foo, which the schema the cluster serves for prune.mizzen.example.com/v1 Bar does not declare")

            // One Warning per object written.
            let onApp = "ApplicationConfiguration/loose"
            let first = try await eventually {
                sink.events(on: onApp, reason: "PrunedUndeclaredFields").count >= 2
            }
            #expect(first)
            #expect(sink.events(on: onApp, reason: "PrunedUndeclaredFields").map(\.message).sorted() == [
                "Bar/loose-bar: dropped spec.foo, which the schema the cluster serves for prune.mizzen.example.com/v1 Bar does not declare",
                "ConfigMap/loose-settings: dropped colour, which the schema the cluster serves for v1 ConfigMap does not declare",
            ])
            #expect(sink.events(on: onApp, reason: "PrunedUndeclaredFields").allSatisfy { $0.type == .warning })

            // Reconciles that change nothing record nothing: still one event per object.
            let converged = try await runtime.waitFor(Kinds.appConfig, "loose") {
                $0.valueIfPresent(at: "status.observedGeneration") == 1
            }
            #expect(converged.valueIfPresent(at: "status.workloads[0].traits[0].message") != nil)
            #expect(sink.events(on: onApp, reason: "PrunedUndeclaredFields").count == 2)

            // An edit of the AppConfig is a change of every object it renders (they carry its
            // generation): one more event each.
            try await runtime.edit(Kinds.appConfig, "loose") { object in
                try object.setValue(2, at: "spec.components[0].traits[0].trait.spec.size")
            }
            try await runtime.waitFor(Self.bar, "loose-bar") { $0.valueIfPresent(at: "spec.size") == 2 }
            let second = try await eventually {
                sink.events(on: onApp, reason: "PrunedUndeclaredFields").count >= 4
            }
            #expect(second)
            let messages = sink.events(on: onApp, reason: "PrunedUndeclaredFields").map(\.message)
            #expect(messages.filter { $0.hasPrefix("Bar/") }.count == 2)
            #expect(messages.filter { $0.hasPrefix("ConfigMap/") }.count == 2)
            try await runtime.waitFor(Kinds.appConfig, "loose") {
                $0.valueIfPresent(at: "status.observedGeneration") == 2
                    && $0.valueIfPresent(at: "status.conditions[0].status") == "True"
                    && $0.valueIfPresent(at: "status.workloads[0].traits[0].message") != nil
            }
            #expect(sink.events(on: onApp, reason: "CannotApplyComponents").isEmpty)
        }
    }

    @Test("a field the schema declares later is applied once its CRD declares it", arguments: Substrate.available)
    func declaredLater(on substrate: Substrate) async throws {
        try await AppConfigSemanticsTests.withRecordedEvents(on: substrate) { runtime, _ in
            let group = AppConfigSemanticsTests.unique("later") + ".mizzen.example.com"
            let crd = """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata: {name: quxes.\(group)}
                spec:
                  group: \(group)
                  names: {kind: Qux, plural: quxes, singular: qux, listKind: QuxList}
                  scope: Namespaced
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec: {type: object, properties: {size: {type: integer}FOO}}
                """
            try await runtime.create(crd.replacingOccurrences(of: "FOO", with: ""))
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: settings}
                spec:
                  workload: {apiVersion: v1, kind: ConfigMap, data: {level: high}}
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: later}
                spec:
                  components:
                  - componentName: settings
                    traits:
                    - trait:
                        apiVersion: \(group)/v1
                        kind: Qux
                        metadata: {name: later-qux}
                        spec: {size: 1, foo: x}
                """)
            let qux = GroupVersionKind(group: group, version: "v1", kind: "Qux")
            try await runtime.waitFor(qux, "later-qux", timeout: .seconds(60)) { $0.valueIfPresent(at: "spec.size") == 1 }
            #expect(try await runtime.get(qux, "later-qux")?.valueIfPresent(at: "spec.foo") == nil)

            // The CRD now declares spec.foo: the AppConfig looks again by itself, the trait gets
            // it, and the message goes.
            try await runtime.create(crd.replacingOccurrences(of: "FOO", with: ", foo: {type: string}"))
            try await runtime.waitFor(qux, "later-qux", timeout: .seconds(60)) { $0.valueIfPresent(at: "spec.foo") == "x" }
            try await runtime.waitFor(Kinds.appConfig, "later") {
                $0.valueIfPresent(at: "status.conditions[0].status") == "True"
                    && !($0.valueIfPresent(at: "status.workloads[0].traits[0].message")?.stringValue ?? "").contains("dropped")
            }
            _ = try? await runtime.client.delete(OAMKinds.customResourceDefinition, name: "quxes.\(group)")
        }
    }
}
