import ControllerRuntime
import OrderedCollections
import Resources

/// The Endpoints, EndpointSlice and EndpointSlice mirroring controllers.
enum EndpointControllers {
    static let serviceKind = GroupVersionKind(group: "", version: "v1", kind: "Service")

    /// Adds the area's controllers to `context.manager`.
    static func register(_ context: ClusterContext) {
        let manager = context.manager
        let services = manager.informer(for: serviceKind)
        let pods = manager.informer(for: Pods.kind)
        let podLabels = LabelTracker(pods) { Dictionary($0.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }) }
        let serviceSelectors = LabelTracker(services, extract: ServiceEndpoints.selector(of:))
        let endpoints = manager.informer(for: EndpointsReconciler.kind)
        let slices = manager.informer(for: EndpointSliceReconciler.kind, indexes: [
            EndpointSliceReconciler.serviceIndex: Indexes.label(EndpointSliceReconciler.serviceNameLabel),
        ])

        let endpointsReconciler = EndpointsReconciler(
            context: context, services: services, pods: pods, podLabels: podLabels, endpoints: endpoints)
        let endpointsController = Controller(
            name: EndpointsReconciler.controllerName, reconciler: endpointsReconciler, primary: services,
            workers: context.workers, logger: context.logger)
        let sliceReconciler = EndpointSliceReconciler(
            context: context, services: services, pods: pods, podLabels: podLabels, slices: slices)
        let sliceController = Controller(
            name: EndpointSliceReconciler.controllerName, reconciler: sliceReconciler, primary: services,
            workers: context.workers, logger: context.logger)
        let both = [endpointsController, sliceController]
        let mirroringReconciler = EndpointSliceMirroringReconciler(
            context: context, services: services, endpoints: endpoints, slices: slices)
        let mirroringController = Controller(
            name: EndpointSliceMirroringReconciler.controllerName, reconciler: mirroringReconciler, primary: endpoints,
            workers: context.workers, logger: context.logger)

        services.addHandler { event in
            if case .updated(let old, let new) = event, old.spec == new.spec, old.labels == new.labels,
                old.deletionTimestamp == new.deletionTimestamp
            {
                return
            }
            for controller in both { await controller.enqueue(ObjectKey(event.object)) }
            await mirroringController.enqueue(ObjectKey(event.object))
        }
        pods.addHandler { event in
            var changed: [Resource] = [event.object]
            if case .updated(let old, let new) = event {
                guard Self.mattersToEndpoints(old: old, new: new) else { return }
                changed.append(old)
            }
            let namespace = event.object.namespace
            let selecting = serviceSelectors.keys(in: namespace) { selector in
                changed.contains { ServiceEndpoints.matches(selector, labels: $0.labels) }
            }
            for service in selecting {
                for controller in both { await controller.enqueue(service) }
            }
        }
        endpoints.addHandler { event in
            if case .updated(let old, let new) = event, old.differsBeyondStatus(from: new) == false { return }
            await mirroringController.enqueue(ObjectKey(event.object))
        }
        endpoints.addHandler { event in
            // Someone else's change (or deletion) of managed Endpoints is put back; a leftover of a
            // deleted Service found at start is deleted.
            if case .added(let object) = event, object.labels[EndpointsReconciler.managedByLabel] == nil { return }
            await endpointsController.enqueue(ObjectKey(event.object))
        }
        slices.addHandler { event in
            guard let service = event.object.labels[EndpointSliceReconciler.serviceNameLabel] else { return }
            if case .added = event { return }
            let key = ObjectKey(namespace: event.object.namespace, name: service)
            switch event.object.labels[EndpointSliceReconciler.managedByLabel] {
            case EndpointSliceReconciler.managerName: await sliceController.enqueue(key)
            case EndpointSliceMirroringReconciler.managerName: await mirroringController.enqueue(key)
            default: break
            }
        }
        manager.add(endpointsController)
        manager.add(sliceController)
        manager.add(mirroringController)
    }

    /// Whether a Pod's update can change the endpoints of a Service: its labels, IPs,
    /// readiness, phase, deletion, node, hostname or ports.
    static func mattersToEndpoints(old: Resource, new: Resource) -> Bool {
        old.labels != new.labels || old.status?["podIPs"] != new.status?["podIPs"]
            || old.status?["podIP"] != new.status?["podIP"] || Pods.isReady(old) != Pods.isReady(new)
            || Pods.readyCondition(of: old) != Pods.readyCondition(of: new)
            || Pods.phase(of: old) != Pods.phase(of: new) || old.deletionTimestamp != new.deletionTimestamp
            || old.spec?["nodeName"] != new.spec?["nodeName"] || old.spec?["hostname"] != new.spec?["hostname"]
            || old.spec?["subdomain"] != new.spec?["subdomain"] || old.spec?["containers"] != new.spec?["containers"]
    }
}
