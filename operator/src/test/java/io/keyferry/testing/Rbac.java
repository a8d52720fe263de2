package io.keyferry.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What RBAC grants one ServiceAccount through the roles and bindings among some objects (a rendered chart),
 * evaluated as the API server's authorizer does: a ClusterRoleBinding grants its rules in every namespace and
 * on cluster-scoped resources, a RoleBinding only in its own namespace. A rule allows a request when it lists
 * the request's API group, its resource (`resource/subresource` for a subresource) and its verb, and, when it
 * lists names, the object's name: a create or a list, which name none, never matches a rule with names.
 */
public final class Rbac {
    /** A rule as bound: {@code namespace} is empty when it applies cluster-wide. */
    private record Grant(String namespace, String role, PolicyRule rule) {}

    /** One verb on one resource, as one grant gives it. */
    private record Permission(Grant grant, String group, String resource, String verb) {
        @Override
        public String toString() {
            List<String> names = grant.rule.getResourceNames();
            return group + "/" + resource + (names.isEmpty() ? "" : "[" + String.join(",", names) + "]") + ": " + verb;
        }
    }

    private final String account;
    private final List<Grant> grants;

    private Rbac(String account, List<Grant> grants) {
        this.account = account;
        this.grants = grants;
    }

    /** The rules that the bindings among {@code objects} grant the ServiceAccount {@code namespace/name}. */
    public static Rbac of(List<HasMetadata> objects, String namespace, String name) {
        List<Grant> grants = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof ClusterRoleBinding b && binds(b.getSubjects(), namespace, name)) {
                rules(objects, b.getRoleRef(), null).forEach(r -> grants.add(new Grant("", b.getRoleRef().getName(), r)));
            } else if (o instanceof RoleBinding b && binds(b.getSubjects(), namespace, name)) {
                String scope = b.getMetadata().getNamespace();
                rules(objects, b.getRoleRef(), scope).forEach(r -> grants.add(new Grant(scope, b.getRoleRef().getName(), r)));
            }
        }
        return new Rbac(namespace + "/" + name, grants);
    }

    private static boolean binds(List<Subject> subjects, String namespace, String name) {
        return subjects.stream().anyMatch(s -> s.getKind().equals("ServiceAccount") && s.getName().equals(name)
                && s.getNamespace().equals(namespace));
    }

    private static List<PolicyRule> rules(List<HasMetadata> objects, RoleRef ref, String namespace) {
        return objects.stream()
                .filter(o -> ref.getKind().equals("ClusterRole") ? o instanceof ClusterRole
                        : o instanceof Role && Objects.equals(o.getMetadata().getNamespace(), namespace))
                .filter(o -> o.getMetadata().getName().equals(ref.getName()))
                .map(o -> o instanceof Role r ? r.getRules() : ((ClusterRole) o).getRules())
                .findFirst().orElseThrow(() -> new AssertionError("a binding refers to " + ref.getKind() + " " + ref.getName()
                        + ", which is not there"));
    }

    public String account() {
        return account;
    }

    /** The rules in force in {@code namespace}: those bound there and those bound cluster-wide. */
    public List<PolicyRule> rulesIn(String namespace) {
        return grants.stream().filter(g -> g.namespace.isEmpty() || g.namespace.equals(namespace)).map(Grant::rule).toList();
    }

    public boolean allows(ApiRequest request) {
        return permissions().stream().anyMatch(p -> uses(request, p));
    }

    /** Each verb on a resource that the rules give and no request in {@code requests} used, as `group/resource[names]: verb`. */
    public Set<String> unused(List<ApiRequest> requests) {
        Set<String> unused = new LinkedHashSet<>();
        for (Permission p : permissions()) {
            if (requests.stream().noneMatch(r -> uses(r, p))) {
                unused.add(p.toString());
            }
        }
        return unused;
    }

    /** How many verbs on resources the rules give, one per grant. */
    public int size() {
        return permissions().size();
    }

    private List<Permission> permissions() {
        List<Permission> all = new ArrayList<>();
        for (Grant g : grants) {
            for (String group : g.rule.getApiGroups()) {
                for (String resource : g.rule.getResources()) {
                    for (String verb : g.rule.getVerbs()) {
                        all.add(new Permission(g, group, resource, verb));
                    }
                }
            }
        }
        return all;
    }

    private static boolean uses(ApiRequest r, Permission p) {
        List<String> names = p.grant.rule.getResourceNames();
        return r.isResourceRequest()
                && (p.grant.namespace.isEmpty() || p.grant.namespace.equals(r.namespace()))
                && p.group.equals(r.group()) && p.resource.equals(r.qualifiedResource()) && p.verb.equals(r.verb())
                && (names.isEmpty() || names.contains(r.name()));
    }
}
