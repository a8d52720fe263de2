package io.keyferry.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Conflict policies per data type; a type without its own policy uses {@code default}. */
public class PolicySpec {
    @JsonProperty("default")
    @JsonPropertyDescription("Policy of every type not listed; Skip unless set, so target data is never destroyed silently.")
    private Policy defaultPolicy = Policy.SKIP;
    private Policy string;
    private Policy hash;
    private Policy list;
    private Policy set;
    private Policy zset;
    private Policy stream;
    @JsonPropertyDescription("Target key of another type: Skip (default), Overwrite or Fail.")
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
        return p != null ? p : defaultPolicy;
    }

    public Policy getDefaultPolicy() { return defaultPolicy; }
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
