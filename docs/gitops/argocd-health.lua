-- Argo CD health check for keyferry.io/DataMigration (argocd-cm key
-- resource.customizations.health.keyferry.io_DataMigration; see docs/gitops.md).
--
-- The first rule that matches decides:
--
--   1. no status yet, or status.observedGeneration < metadata.generation  -> Progressing
--      Every condition describes an older spec until the operator has seen this one: right after a
--      pull request moves spec.phase, the old Ready=True would otherwise read as Healthy.
--   2. Stalled=True (reason InvalidSpec or Failed)                          -> Degraded
--      Nothing happens until someone fixes the spec or bumps spec.retryNonce. An invalid spec keeps
--      the TransitionBlocked it had, so this rule comes before the cutover rules.
--   3. TransitionBlocked=True, reason FlagStoreUnavailable                   -> Degraded
--      The routing flag cannot be read or written. Ready can still be True (the phase in force
--      stays), so this rule comes before Ready.
--   4. TransitionBlocked=True, reason GuardNotMet                            -> Suspended
--      spec.phase asks for a phase that may not be entered yet (ReadTarget before the copy is done
--      and verification is clean enough); the operator moves by itself once the guard holds.
--   5. Ready=True                                                            -> Healthy
--   6. anything else                                                         -> Progressing
--      with the stage, the copy's percent and ETA when the status has them.
--
-- The operator writes every condition with the status's observedGeneration, so rule 1 covers them
-- all. A TransitionBlocked reason this script does not know falls through to rules 5 and 6.
--
-- Argo CD runs this with gopher-lua (Lua 5.1) and, for checks from argocd-cm, only the base, table
-- and a reduced os library: no string or math library, so only tostring, tonumber, ipairs and `..`.

local function condition(status, wanted)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == wanted then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

-- "Reason: message", or whichever of the two is there.
local function explain(c)
  local reason = c.reason or ""
  local message = c.message or ""
  if reason == "" then
    return message
  end
  if message == "" then
    return reason
  end
  return reason .. ": " .. message
end

local function progressing(status)
  local message = "stage " .. tostring(status.stage or "not reported yet")
  local progress = status.progress
  if progress ~= nil and tonumber(progress.percent) ~= nil then
    message = message .. ", copy " .. tostring(progress.percent) .. "% done"
    local eta = tonumber(progress.etaSeconds)
    if eta ~= nil and eta > 0 then
      message = message .. ", about " .. tostring(progress.etaSeconds) .. " s left"
    end
  end
  return message
end

local function health(obj)
  local status = obj.status
  local generation = obj.metadata ~= nil and tonumber(obj.metadata.generation) or nil
  local observed = status ~= nil and tonumber(status.observedGeneration) or nil
  if status == nil or (generation ~= nil and (observed == nil or observed < generation)) then
    if generation == nil then
      return "Progressing", "waiting for the operator to report a status"
    end
    return "Progressing", "waiting for the operator to observe generation " .. tostring(obj.metadata.generation)
  end

  local stalled = condition(status, "Stalled")
  if isTrue(stalled) then
    return "Degraded", explain(stalled)
  end
  local blocked = condition(status, "TransitionBlocked")
  if isTrue(blocked) and blocked.reason == "FlagStoreUnavailable" then
    return "Degraded", explain(blocked)
  end
  if isTrue(blocked) and blocked.reason == "GuardNotMet" then
    return "Suspended", explain(blocked)
  end
  local ready = condition(status, "Ready")
  if isTrue(ready) then
    return "Healthy", ready.message or ""
  end
  return "Progressing", progressing(status)
end

local hs = {}
hs.status, hs.message = health(obj)
return hs
