<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <source>Primary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secondary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rank {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all categories</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all {kind}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all areas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>grid {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>community {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>street {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>county {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{rank} for {category} in {area}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escalation level {level}: above {child}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No responsibility rule matches; the city office coordinates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>The case has moved on; this action no longer applies.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>Your role may not take this action.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>The case belongs to another unit.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>The case is not ready for this action.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>Some required information is missing or invalid.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>Unknown member unit.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>The case is already with that unit.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>The case is already at the top of the unit hierarchy.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>No reference data yet: log in online once.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>Unknown category.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>Unknown grid code.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>The action was refused.</comment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CaseActions</source>
        <comment>The action failed: {error}</comment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AboutDialog</name>
    <message>
        <source>About OneGrid</source>
        <translation>关于 OneGrid</translation>
    </message>
    <message>
        <source>OneGrid operator console</source>
        <translation>OneGrid 指挥中心操作台</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Local cache</source>
        <translation>本地缓存</translation>
    </message>
    <message>
        <source>Log file</source>
        <translation>日志文件</translation>
    </message>
    <message>
        <source>Built with</source>
        <translation>构建环境</translation>
    </message>
    <message>
        <source>Case dispatch and city operations for the command centre.</source>
        <translation>面向指挥中心的案件派遣与城市运行管理。</translation>
    </message>
</context>
<context>
    <name>AlarmDock</name>
    <message>
        <source>Alarms</source>
        <translation type="unfinished">告警</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acknowledge alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acknowledge the selected alarm (F8)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show cleared</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluated on this console (simulated sensors)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AlarmModel</name>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Raised</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acknowledged by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cleared</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>above threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>below threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>changing too fast</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CaseActionBar</name>
    <message>
        <source>{action}: {help}
Shortcut: {key}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CaseActions</name>
    <message>
        <source>Accept the report as a case (立案)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refuse the report: duplicate, not in scope or not verifiable (作废)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the case to a member unit (派遣)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take the case on for your unit (接单)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send the case back: not your unit&apos;s (退单)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report the work done (处置反馈)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send an inspector to verify (核查)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The problem is fixed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not fixed: back to the unit for rework (返工)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the verified case (结案)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask the shift lead for more time (延期)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grant the requested extension</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refuse the requested extension</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop the clock, with a reason (缓办)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart the clock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escalate to the next level (督办)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the case to another unit (改派)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a note to the history</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CaseDetailDock</name>
    <message>
        <source>Case detail</source>
        <translation type="unfinished">案件详情</translation>
    </message>
    <message>
        <source>Number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coordinates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Responsible unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stage and deadline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returns / rework</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extension request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensor alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created / updated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished">版本</translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Double-click a case in the queue (or press Enter) to see it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the case: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No case selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} waiting to sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commands issued on this console that the server has not confirmed yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{number} (provisional {provisional})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · emergency category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not dispatched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>level {n}, with {unit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{returns} returns, {rework} rework rounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · inspector {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{hours:g} h ({mode}) by {who}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>calendar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>since {time} (from {status})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>overdue {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paused, {time} left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>working time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>calendar time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{stage}: due {due} ({mode}) · {left}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{action} queued.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline: it will be sent when the server is reachable.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CaseQueueDock</name>
    <message>
        <source>Case queue</source>
        <translation type="unfinished">案件队列</translation>
    </message>
    <message>
        <source>Search number, description, address, grid, category… (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New case…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register a hotline call or a walk-in report (Ctrl+N)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{shown} of {total} cases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading cases…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CaseQueueModel</name>
    <message>
        <source>Number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Priority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>working time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>calendar time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stage: {stage}
Due: {due} ({mode})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Commands issued on this console are waiting to reach the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>overdue {time}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CaseTimeline</name>
    <message>
        <source>#</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Console time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{time} (offline)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>pending sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Console: {console}
Command: {command}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issued on this console; the server has not confirmed it yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not applied here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued for the server, but it no longer applies to the case as this console sees it; the server will decide.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unit: {unit}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>inspector: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>calendar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{hours:g} h ({mode})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new deadline {due}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} attachment(s)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CaseViews</name>
    <message>
        <source>All active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every case that is neither closed nor voided</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status reported: awaiting registration or voiding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To dispatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status registered or returned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active, not suspended, and the current stage&apos;s deadline has passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active with escalation level 1 or higher</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status returned: a unit sent it back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Awaiting verification</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status handled or verifying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>My cases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active cases whose history names me (unit handlers: cases of my unit and its sub-units)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Active cases in an emergency category (shown in emergency mode)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All cases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every case in the cache, closed and voided included</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CategoryTree</name>
    <message>
        <source>Search categories by code or name (中文 / English)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{code}
{zh}
{en}
Default priority: {priority}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConfirmDialog</name>
    <message>
        <source>{action} case {number}?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConflictsDock</name>
    <message>
        <source>Conflicts</source>
        <translation type="unfinished">冲突</translation>
    </message>
    <message>
        <source>Re-apply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Issue the same action again on the case as it is now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop the refused action; the server&apos;s version stands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} command(s) refused by the server. Re-apply them on the current state or discard them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No conflicts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused: {action} ({reason})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What was sent:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server has no such case.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s version of case {number}:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>status {status}, unit {unit}, version {version}, updated {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last: {action} by {who} at {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re-applied: queued again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Discarded.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConflictsModel</name>
    <message>
        <source>no such case</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConsoleSettings</name>
    <message>
        <source>Light (day shift)</source>
        <translation>浅色（白班）</translation>
    </message>
    <message>
        <source>Dark (night shift)</source>
        <translation>深色（夜班）</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Address of the OneGrid server, e.g. http://onegrid.example:8700</source>
        <translation>OneGrid 服务器地址，例如 http://onegrid.example:8700</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Language of the console; switches at once</source>
        <translation>操作台显示语言，立即生效</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Light for day shifts, dark for night shifts</source>
        <translation>白班用浅色，夜班用深色</translation>
    </message>
    <message>
        <source>Map tile address</source>
        <translation>地图瓦片地址</translation>
    </message>
    <message>
        <source>Template of a local tile server, e.g. http://tiles.local/{z}/{x}/{y}.png; empty: grids only</source>
        <translation>本地瓦片服务的地址模板，例如 http://tiles.local/{z}/{x}/{y}.png；留空则只显示网格</translation>
    </message>
    <message>
        <source>Sound on urgent cases</source>
        <translation>紧急案件声音提醒</translation>
    </message>
    <message>
        <source>Play a sound when an urgent case or alarm arrives</source>
        <translation>有紧急案件或告警到达时播放提示音</translation>
    </message>
    <message>
        <source>Local cache folder</source>
        <translation>本地缓存目录</translation>
    </message>
    <message>
        <source>Where the local cache and outbox are kept; empty: the default folder. Takes effect at the next login</source>
        <translation>本地缓存和待发送指令的存放位置；留空则使用默认目录。下次登录时生效</translation>
    </message>
    <message>
        <source>Log level</source>
        <translation>日志级别</translation>
    </message>
    <message>
        <source>How much the console writes to its log file; takes effect at the next start</source>
        <translation>操作台写入日志文件的详细程度；下次启动时生效</translation>
    </message>
</context>
<context>
    <name>ConsoleStatusBar</name>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>同步中…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Login expired</source>
        <translation>登录已失效</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Offline login: {user}</source>
        <translation>离线登录：{user}</translation>
    </message>
    <message>
        <source>Last sync: {time}</source>
        <translation>上次同步：{time}</translation>
    </message>
    <message>
        <source>Last sync: never</source>
        <translation>上次同步：尚未同步</translation>
    </message>
    <message>
        <source>Outbox: {count}</source>
        <translation>待发送：{count}</translation>
    </message>
    <message>
        <source>Commands issued here and not yet answered by the server</source>
        <translation>在本机发出、服务器尚未答复的指令</translation>
    </message>
    <message>
        <source>Conflicts: {count}</source>
        <translation>冲突：{count}</translation>
    </message>
    <message>
        <source>Commands the server refused; resolve them in the Conflicts panel</source>
        <translation>被服务器拒绝的指令，请在“冲突”面板中处理</translation>
    </message>
    <message>
        <source>Server clock: unknown</source>
        <translation>服务器时钟：未知</translation>
    </message>
    <message>
        <source>Server clock: {offset} s</source>
        <translation>服务器时钟：{offset} 秒</translation>
    </message>
    <message>
        <source>Server clock minus this console&apos;s clock. Deadlines are computed by the server; a large offset means this PC&apos;s clock is wrong.</source>
        <translation>服务器时钟减去本机时钟。时限由服务器计算；偏差较大说明本机时钟不准。</translation>
    </message>
</context>
<context>
    <name>DispatchDialog</name>
    <message>
        <source>Suggested unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Match</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suggestions (responsibility matrix: category × area):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Or choose any unit:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional note for the unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(choose a unit)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the unit to send the case to.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EmergencyBanner</name>
    <message>
        <source>EMERGENCY MODE</source>
        <translation>应急状态</translation>
    </message>
    <message>
        <source>switched on by {user} at {time}</source>
        <translation>由 {user} 于 {time} 启动</translation>
    </message>
    <message>
        <source>switched on by {user}</source>
        <translation>由 {user} 启动</translation>
    </message>
</context>
<context>
    <name>EmergencyModeDialog</name>
    <message>
        <source>Return to routine operation</source>
        <translation>恢复常态运行</translation>
    </message>
    <message>
        <source>no reason given</source>
        <translation>未填写原因</translation>
    </message>
    <message>
        <source>Emergency mode is on ({reason}). Switch every console back to routine operation?</source>
        <translation>当前处于应急状态（{reason}）。是否将所有操作台切换回常态运行？</translation>
    </message>
    <message>
        <source>Reason, e.g. &quot;Flood warning lifted&quot;:</source>
        <translation>原因，例如“防汛预警解除”：</translation>
    </message>
    <message>
        <source>Switch off</source>
        <translation>解除应急</translation>
    </message>
    <message>
        <source>Switch to emergency mode</source>
        <translation>切换到应急状态</translation>
    </message>
    <message>
        <source>Emergency mode is shown on every console at once. Give the reason operators will see, e.g. &quot;Typhoon warning: flood response&quot;.</source>
        <translation>应急状态将立即显示在所有操作台上。请填写值守人员将看到的原因，例如“台风预警：防汛响应”。</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>Switch on</source>
        <translation>启动应急</translation>
    </message>
</context>
<context>
    <name>EmergencySwitch</name>
    <message>
        <source>Emergency mode switched on.</source>
        <translation>已启动应急状态。</translation>
    </message>
    <message>
        <source>Back to routine operation.</source>
        <translation>已恢复常态运行。</translation>
    </message>
    <message>
        <source>Emergency mode</source>
        <translation>应急状态</translation>
    </message>
    <message>
        <source>Switching emergency mode needs the server: it is shown on every console at once, so it cannot be queued here. The console is offline now; try again when the connection returns.</source>
        <translation>切换应急状态需要连接服务器：它会立即显示在所有操作台上，因此不能在本机排队发送。当前操作台处于离线状态，请在连接恢复后重试。</translation>
    </message>
    <message>
        <source>Your login at the server has expired. Log in again, then retry.</source>
        <translation>您在服务器上的登录已失效。请重新登录后再试。</translation>
    </message>
    <message>
        <source>The server refused: {message}</source>
        <translation>服务器拒绝：{message}</translation>
    </message>
</context>
<context>
    <name>EscalateDialog</name>
    <message>
        <source>Next level up ({unit})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escalate to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already escalated {n} time(s), now with {unit}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExtensionDialog</name>
    <message>
        <source>Extra time:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An extension can be at most 90 days.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Reported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voided</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Void</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Return</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Report handled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send to verify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verification passed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verification failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Request extension</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve extension</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deny extension</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suspend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escalate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shift lead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit handler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ordinary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Complex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>12345 hotline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid inspector</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensor alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Video AI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Citizen app</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Verify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public utilities</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roads and traffic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>City appearance and environment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parks and greenery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buildings and land</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other facilities</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Advertising</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Construction management</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergencies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Street order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Components</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>OneGrid — log in</source>
        <translation>OneGrid — 登录</translation>
    </message>
    <message>
        <source>Log in again</source>
        <translation>重新登录</translation>
    </message>
    <message>
        <source>OneGrid operator console</source>
        <translation>OneGrid 指挥中心操作台</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>The server is reachable. Log in to receive updates and send the commands queued here.</source>
        <translation>服务器已可连接。登录后即可接收更新，并发送本机排队的指令。</translation>
    </message>
    <message>
        <source>{user} has logged in on this console before: if the server cannot be reached, you will work offline from the local cache.</source>
        <translation>{user} 曾在本操作台登录：如无法连接服务器，将使用本地缓存离线工作。</translation>
    </message>
    <message>
        <source>{user} has not logged in on this console before: the first login needs the server.</source>
        <translation>{user} 尚未在本操作台登录过：首次登录需要连接服务器。</translation>
    </message>
    <message>
        <source>Can log in offline here: {users}</source>
        <translation>可在本机离线登录：{users}</translation>
    </message>
    <message>
        <source>Nobody has logged in on this console yet: the first login needs the server.</source>
        <translation>本操作台尚无用户登录过：首次登录需要连接服务器。</translation>
    </message>
    <message>
        <source>Logging in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>Enter the server, your user name and your password.</source>
        <translation>请输入服务器、用户名和密码。</translation>
    </message>
    <message>
        <source>The server cannot be reached, and {user} has never logged in on this console, so there is no local cache to work offline from.</source>
        <translation>无法连接服务器，且 {user} 从未在本操作台登录过，没有可供离线工作的本地缓存。</translation>
    </message>
    <message>
        <source>The server cannot be reached. Try again when the connection is back.</source>
        <translation>无法连接服务器。请在连接恢复后重试。</translation>
    </message>
    <message>
        <source>Wrong user name or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <source>The server cannot be reached, and {user} has never logged in online on this console, so cannot log in offline.</source>
        <translation>无法连接服务器，且 {user} 从未在本操作台在线登录过，因此无法离线登录。</translation>
    </message>
    <message>
        <source>The server cannot be reached, and the password does not match {user}&apos;s last online login on this console.</source>
        <translation>无法连接服务器，且密码与 {user} 上次在本操作台在线登录时的密码不符。</translation>
    </message>
    <message>
        <source>The login was refused: {message}</source>
        <translation>登录被拒绝：{message}</translation>
    </message>
    <message>
        <source>The login failed: {message}</source>
        <translation>登录失败：{message}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Case queue</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <source>Case detail</source>
        <translation>案件详情</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Sensors</source>
        <translation>物联感知</translation>
    </message>
    <message>
        <source>Alarms</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New case…</source>
        <translation>新建案件(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Emergency mode…</source>
        <translation>应急状态(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Night theme</source>
        <translation>夜间主题(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About OneGrid</source>
        <translation>关于 OneGrid(&amp;A)</translation>
    </message>
    <message>
        <source>OneGrid — {name} ({role})</source>
        <translation>OneGrid — {name}（{role}）</translation>
    </message>
    <message>
        <source>offline login</source>
        <translation>离线登录</translation>
    </message>
    <message>
        <source>New case</source>
        <translation>新建案件</translation>
    </message>
    <message>
        <source>The new case form is not available in this build.</source>
        <translation>此版本未提供新建案件表单。</translation>
    </message>
</context>
<context>
    <name>MapDock</name>
    <message>
        <source>Map</source>
        <translation type="unfinished">地图</translation>
    </message>
</context>
<context>
    <name>MapLayers</name>
    <message>
        <source>Overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due within 1 hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No deadline running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Silent (no data)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Invalid readings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Law enforcement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sanitation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Roads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drainage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parks and greenery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Street lighting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bridges and tunnels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traffic police</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Housing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Water supply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Power</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telecom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coordination</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MapPage</name>
    <message>
        <source>Unit grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Streets (subdistricts)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit areas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensors</source>
        <translation type="unfinished">物联感知</translation>
    </message>
    <message>
        <source>Base map (cached tiles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Legend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Case status (fill)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time left (ring)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensor state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Streets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grids</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click the map to pick the location (Esc cancels)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>New case — hotline call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Category *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Category default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Priority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the caller reports, where exactly, since when…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>latitude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>longitude</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick on map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click the place on the map; the coordinates come back here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location *</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>grid code or name, e.g. 33010600100101</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caller</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Possible duplicates: same category, within {m:g} m, reported in the last {h:g} h, still open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Distance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add the call to the selected case</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adds the caller&apos;s report as a note to the existing case instead of opening a new one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create a new case anyway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check and save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown grid code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(choose in the tree on the left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Category default ({priority})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a category: search by code or name and select it in the tree.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Describe the problem.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown grid code {code}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latitude must be between -90 and 90 and longitude between -180 and 180.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the location: pick it on the map, type coordinates or a grid code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Another report ({source}, {time}){caller}: {description}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NotificationBanner</name>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <source>Not logged in at the server — working from the local cache.</source>
        <translation>未登录服务器 — 正在使用本地缓存工作。</translation>
    </message>
    <message>
        <source>Log in again to receive updates and send new commands.</source>
        <translation>请重新登录以接收更新并发送新指令。</translation>
    </message>
    <message>
        <source>1 command will be sent after you log in again.</source>
        <translation>重新登录后将发送 1 条指令。</translation>
    </message>
    <message>
        <source>{count} commands will be sent after you log in again.</source>
        <translation>重新登录后将发送 {count} 条指令。</translation>
    </message>
    <message>
        <source>Offline — working from the local cache;</source>
        <translation>离线 — 正在使用本地缓存工作；</translation>
    </message>
    <message>
        <source>commands you issue will be sent when the connection returns.</source>
        <translation>您发出的指令将在连接恢复后发送。</translation>
    </message>
    <message>
        <source>1 command will be sent when the connection returns.</source>
        <translation>连接恢复后将发送 1 条指令。</translation>
    </message>
    <message>
        <source>{count} commands will be sent when the connection returns.</source>
        <translation>连接恢复后将发送 {count} 条指令。</translation>
    </message>
    <message>
        <source>Log in…</source>
        <translation>登录…</translation>
    </message>
</context>
<context>
    <name>PayloadDialog</name>
    <message>
        <source>{action} — case {number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Case {number}: {description}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Voiding ends the case: it will not be handled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closing ends the case; it counts in the closure figures.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Returning sends the case back to the command centre for dispatch; a case returned twice is escalated automatically.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escalation is recorded against the responsible unit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Suspending stops the case&apos;s clock until it is resumed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The case goes back to the unit for rework with a new handling limit.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlaceholderDock</name>
    <message>
        <source>The “{title}” panel is not available in this build.
({module}: {reason})</source>
        <translation>此版本中“{title}”面板不可用。
（{module}：{reason}）</translation>
    </message>
</context>
<context>
    <name>SendVerifyDialog</name>
    <message>
        <source>(any inspector on duty)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspector:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SensorDock</name>
    <message>
        <source>Water level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rainfall</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bridge displacement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settlement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Strain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tilt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Combustible gas</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Manhole cover</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 6 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sensors</source>
        <translation type="unfinished">物联感知</translation>
    </message>
    <message>
        <source>Search sensors by name, id or grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the newest reading in view; panning a plot turns this off</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Tick up to %n sensor(s) in the list to plot them.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Loading the last 24 hours of readings…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SensorPlot</name>
    <message>
        <source>Alarm high</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning high</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning low</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alarm low</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>(default folder)</source>
        <translation>（默认目录）</translation>
    </message>
    <message>
        <source>(no tiles: grid outlines only)</source>
        <translation>（无瓦片：仅显示网格轮廓）</translation>
    </message>
    <message>
        <source>Please correct: {fields}</source>
        <translation>请更正：{fields}</translation>
    </message>
    <message>
        <source>The settings could not be saved: {error}</source>
        <translation>无法保存设置：{error}</translation>
    </message>
</context>
<context>
    <name>TextDialog</name>
    <message>
        <source>Common reasons…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What was done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Please write the reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Please write a note.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnitPicker</name>
    <message>
        <source>Search units by name or id…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UrgentCaseNotifier</name>
    <message>
        <source>New urgent case {case}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} new urgent cases; latest: {case}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>dialog</name>
    <message>
        <source>working time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>calendar time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Approve {hours:g} more hours ({mode}) requested by {who}?
Reason: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Settings not readable</source>
        <translation>无法读取设置</translation>
    </message>
    <message>
        <source>The settings file could not be read, so the console starts with default settings. The file is kept, and moved aside when you next save settings.

{problem}</source>
        <translation>无法读取设置文件，操作台将以默认设置启动。该文件会被保留，并在您下次保存设置时移到别处。

{problem}</translation>
    </message>
</context>
</TS>
