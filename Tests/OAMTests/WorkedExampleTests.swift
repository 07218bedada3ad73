import OrderedCollections
import OAM
import Resources
import Testing

/// Spec §11: the containerized-workload example renders exactly the objects listed there.
@Suite("Worked example of spec §11")
struct WorkedExampleTests {
    static let input = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata:
          name: example-component
        spec:
          workload:
            apiVersion: core.oam.dev/v1alpha2
            kind: ContainerizedWorkload
            spec:
              containers:
                - name: wordpress
                  image: wordpress:4.6.1-apache
                  ports:
                    - containerPort: 80
                      name: wordpress
                  config:
                    - path: /test/configfile/config
                      value: "debug = false"
          parameters:
            - name: instance-name
              required: true
              fieldPaths: ["metadata.name"]
            - name: image
              fieldPaths: ["spec.containers[0].image"]
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: HealthScope
        metadata:
          name: example-health-scope
        spec:
          workloadRefs: []
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata:
          name: example-appconfig
          uid: 9a1b2c3d
          generation: 1
        spec:
          components:
            - componentName: example-component
              parameterValues:
                - name: instance-name
                  value: example-appconfig-workload
                - name: image
                  value: wordpress:php7.2
              traits:
                - trait:
                    apiVersion: core.oam.dev/v1alpha2
                    kind: ManualScalerTrait
                    metadata:
                      name: example-appconfig-trait
                    spec:
                      replicaCount: 3
              scopes:
                - scopeRef:
                    apiVersion: core.oam.dev/v1alpha2
                    kind: HealthScope
                    name: example-health-scope
        """

    @Test("the workload carries the four app.oam.dev labels, the generation and the AppConfig as owner")
    func workload() throws {
        let rendered = try render(Self.input)
        #expect(rendered.errors.isEmpty)
        let component = try #require(rendered.components.first)
        let workload = component.workload.object
        #expect(workload.kind == "ContainerizedWorkload")
        #expect(workload.name == "example-appconfig-workload")
        #expect(workload.namespace == "default")
        #expect(workload.labels == [
            "app.oam.dev/name": "example-appconfig", "app.oam.dev/component": "example-component",
            "app.oam.dev/revision": "example-component-v1", "app.oam.dev/resourceType": "WORKLOAD",
        ])
        #expect(workload.annotations == ["app.oam.dev/generation": "1"])
        #expect(workload.ownerReferences == [OwnerReference(
            apiVersion: "core.oam.dev/v1alpha2", kind: "ApplicationConfiguration", name: "example-appconfig",
            uid: "9a1b2c3d", controller: true, blockOwnerDeletion: true)])
        #expect(try workload.value(at: "spec.containers[0].image") == "wordpress:php7.2")
    }

    @Test("the ManualScalerTrait keeps its name, is a TRAIT and points at the workload")
    func trait() throws {
        let rendered = try render(Self.input)
        let trait = try #require(rendered.components.first?.traits.first).object
        #expect(trait.name == "example-appconfig-trait")
        #expect(trait.labels["app.oam.dev/resourceType"] == "TRAIT")
        #expect(trait.labels["app.oam.dev/revision"] == "example-component-v1")
        #expect(try trait.value(at: "spec.workloadRef") == [
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
            "name": "example-appconfig-workload",
        ])
        #expect(try trait.value(at: "spec.replicaCount") == 3)
    }

    @Test("the HealthScope lists the workload")
    func scope() throws {
        let rendered = try render(Self.input)
        let scope = try #require(rendered.scopes.first)
        #expect(scope.reference.name == "example-health-scope")
        #expect(try scope.object.value(at: "spec.workloadRefs") == [[
            "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
            "name": "example-appconfig-workload",
        ]])
    }

    @Test("status.workloads is the entry of spec §11")
    func status() throws {
        let rendered = try render(Self.input)
        let status = try #require(rendered.components.first).workloadStatus
        let encoded = try JSONValueEncoder().encode(status)
        #expect(encoded == [
            "componentName": "example-component",
            "componentRevisionName": "example-component-v1",
            "workloadRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
                            "name": "example-appconfig-workload"],
            "traits": [["traitRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "ManualScalerTrait",
                                     "name": "example-appconfig-trait"]]],
            "scopes": [["scopeRef": ["apiVersion": "core.oam.dev/v1alpha2", "kind": "HealthScope",
                                     "name": "example-health-scope"]]],
        ])
        #expect(rendered.unsatisfiedDependencies.isEmpty)
    }

    @Test("the workload translates to the Deployment, Service and ConfigMap of §11")
    func translation() throws {
        let rendered = try render(Self.input)
        let workload = try #require(rendered.components.first).workload.object
        let translated = try ContainerizedWorkloadTranslation.translate(workload)
        #expect(translated.deployment.kind == "Deployment")
        #expect(translated.deployment.name == "example-appconfig-workload")
        #expect(translated.service?.name == "example-appconfig-workload")
        #expect(translated.configMaps.map(\.name) == ["example-appconfig-workload-wordpress-1582584990"])
    }
}
