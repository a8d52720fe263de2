package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Conflict policies per data type; a type without its own policy uses {@code default}. */
public class PolicySpec {
    @JsonProperty("default")
    @JsonPropertyDescription("Policy of every type not listed; Skip unless set, so target data is never destroyed silently"
            + " (Fill while DualWrite is in force, so the backfill never replaces what the application wrote).")
    private Policy defaultPolicy;
    @JsonPropertyDescription("Policy for string keys.")
    private Policy string;
    @JsonPropertyDescription("Policy for hash keys.")
    private Policy hash;
    @JsonPropertyDescription("Policy for list keys.")
    private Policy list;
    @JsonPropertyDescription("Policy for set keys.")
    private Policy set;
    @JsonPropertyDescription("Policy for sorted set keys.")
    private Policy zset;
    @JsonPropertyDescription("Policy for stream keys.")
    private Policy stream;
    @JsonPropertyDescription("Target key of another type: Skip (default), Overwrite or Fail.")
    @Default("Skip")
    private TypeMismatchPolicy typeMismatch = TypeMismatchPolicy.SKIP;

    /** The policy in force for a type. */
    public Policy forType(DataType type) {
        Policy p = switch (type) {
            case STRING -> string;
            case HASH -> hash;
            case LIST -> list;
            case SET -> set;
            case ZSET -> zset;
            case STREAM -> stream;
        };
        return p != null ? p : defaultOrSkip();
    }

    /** Whether the manifest set {@code default}: a cutover's backfill fills instead where it did not. */
    public boolean defaultChosen() {
        return defaultPolicy != null;
    }

    /** These policies with {@code policy} as the default where the manifest set none; this one is unchanged. */
    public PolicySpec withUnsetDefault(Policy policy) {
        PolicySpec p = new PolicySpec();
        p.defaultPolicy = defaultPolicy != null ? defaultPolicy : policy;
        p.string = string;
        p.hash = hash;
        p.list = list;
        p.set = set;
        p.zset = zset;
        p.stream = stream;
        p.typeMismatch = typeMismatch;
        return p;
    }

    /** As written in the manifest (null when unset), so a serialized spec never claims a choice its author did not make. */
    public Policy getDefaultPolicy() { return defaultPolicy; }
    /** The default in force: Skip unless the manifest set one. */
    public Policy defaultOrSkip() { return defaultPolicy != null ? defaultPolicy : Policy.SKIP; }
    public void setDefaultPolicy(Policy defaultPolicy) { this.defaultPolicy = defaultPolicy; }
    public Policy getString() { return string; }
    public void setString(Policy string) { this.string = string; }
    public Policy getHash() { return hash; }
    public void setHash(Policy hash) { this.hash = hash; }
    public Policy getList() { return list; }
    public void setList(Policy list) { this.list = list; }
    public Policy getSet() { return set; }
    public void setSet(Policy set) { this.set = set; }
    public Policy getZset() { return zset; }
    public void setZset(Policy zset) { this.zset = zset; }
    public Policy getStream() { return stream; }
    public void setStream(Policy stream) { this.stream = stream; }
    public TypeMismatchPolicy getTypeMismatch() { return typeMismatch; }
    public void setTypeMismatch(TypeMismatchPolicy typeMismatch) { this.typeMismatch = typeMismatch; }
}
