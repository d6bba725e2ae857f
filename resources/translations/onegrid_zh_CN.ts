<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
    <name>ActionDialogs</name>
    <message>
        <source>Duplicate of an existing case</source>
        <translation>与已有案件重复</translation>
    </message>
    <message>
        <source>Not in the centre&apos;s scope</source>
        <translation>不属于指挥中心受理范围</translation>
    </message>
    <message>
        <source>Cannot be verified on site</source>
        <translation>现场无法核实</translation>
    </message>
    <message>
        <source>Not our unit&apos;s asset</source>
        <translation>非本单位管养设施</translation>
    </message>
    <message>
        <source>Outside our area</source>
        <translation>不在本单位辖区内</translation>
    </message>
    <message>
        <source>Needs another department</source>
        <translation>需由其他部门处置</translation>
    </message>
    <message>
        <source>Problem still present</source>
        <translation>问题仍然存在</translation>
    </message>
    <message>
        <source>Work incomplete</source>
        <translation>处置不到位</translation>
    </message>
    <message>
        <source>Waiting for weather</source>
        <translation>等待天气条件允许</translation>
    </message>
    <message>
        <source>Waiting for another department</source>
        <translation>等待其他部门配合</translation>
    </message>
    <message>
        <source>Legal procedure pending</source>
        <translation>法律程序尚在进行</translation>
    </message>
    <message>
        <source>Not justified</source>
        <translation>理由不充分</translation>
    </message>
    <message>
        <source>working hours</source>
        <translation>工作小时</translation>
    </message>
    <message>
        <source>working days</source>
        <translation>工作日</translation>
    </message>
    <message>
        <source>calendar hours</source>
        <translation>自然小时</translation>
    </message>
    <message>
        <source>calendar days</source>
        <translation>自然日</translation>
    </message>
</context>
<context>
    <name>AlarmDock</name>
    <message>
        <source>Alarms</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Acknowledge alarm</source>
        <translation>确认告警</translation>
    </message>
    <message>
        <source>Acknowledge…</source>
        <translation>确认…</translation>
    </message>
    <message>
        <source>Clear…</source>
        <translation>解除…</translation>
    </message>
    <message>
        <source>Show warnings</source>
        <translation>显示预警</translation>
    </message>
    <message>
        <source>List warning-level alarms too (always on in emergency mode)</source>
        <translation>同时列出预警级告警（应急状态下始终显示）</translation>
    </message>
    <message>
        <source>Show cleared</source>
        <translation>显示已解除</translation>
    </message>
    <message>
        <source>Evaluated on this console (simulated sensors)</source>
        <translation>在本操作台判定（模拟传感器）</translation>
    </message>
    <message>
        <source>Emergency mode: warnings are listed too</source>
        <translation>应急状态：同时列出预警</translation>
    </message>
    <message>
        <source>Acknowledge the selected alarm, with an optional note (F8)</source>
        <translation>确认所选告警，可填写备注（F8）</translation>
    </message>
    <message>
        <source>Clear the selected alarm by hand, with a reason (shift lead or the owner unit)</source>
        <translation>手动解除所选告警，须填写原因（值班长或权属单位）</translation>
    </message>
    <message>
        <source>This alarm is cleared</source>
        <translation>该告警已解除</translation>
    </message>
    <message>
        <source>Already acknowledged by {name}</source>
        <translation>已由 {name} 确认</translation>
    </message>
    <message>
        <source>Your role may not acknowledge this alarm</source>
        <translation>您的角色不能确认该告警</translation>
    </message>
    <message>
        <source>Only a shift lead or the sensor&apos;s owner unit may clear an alarm by hand</source>
        <translation>只有值班长或传感器权属单位可以手动解除告警</translation>
    </message>
    <message>
        <source>Needs the server: the console is offline. Alarms are acknowledged and cleared on the server, so this cannot wait in the outbox.</source>
        <translation>需要连接服务器：终端当前离线。告警的确认和解除在服务器上进行，不能排队等待发送。</translation>
    </message>
    <message>
        <source>Offline: acknowledging and clearing alarms needs the server.</source>
        <translation>离线：确认和解除告警需要连接服务器。</translation>
    </message>
    <message>
        <source>Acknowledge the alarm of {sensor}. Note (optional):</source>
        <translation>确认 {sensor} 的告警。备注（可选）：</translation>
    </message>
    <message>
        <source>Clear alarm</source>
        <translation>解除告警</translation>
    </message>
    <message>
        <source>Clear the alarm of {sensor} by hand. Reason (required):</source>
        <translation>手动解除 {sensor} 的告警。原因（必填）：</translation>
    </message>
    <message>
        <source>Alarm acknowledged.</source>
        <translation>告警已确认。</translation>
    </message>
    <message>
        <source>Clearing an alarm by hand needs a reason.</source>
        <translation>手动解除告警必须填写原因。</translation>
    </message>
    <message>
        <source>Alarm cleared.</source>
        <translation>告警已解除。</translation>
    </message>
    <message>
        <source>The server refused: the alarm is already cleared ({message}).</source>
        <translation>服务器拒绝：该告警已解除（{message}）。</translation>
    </message>
    <message>
        <source>The server refused: you may not do this for this alarm ({message}).</source>
        <translation>服务器拒绝：您无权对该告警执行此操作（{message}）。</translation>
    </message>
    <message>
        <source>The server does not know this alarm ({message}).</source>
        <translation>服务器上没有该告警（{message}）。</translation>
    </message>
    <message>
        <source>The server refused: {message}</source>
        <translation>服务器拒绝：{message}</translation>
    </message>
    <message>
        <source>Not done: the server cannot be reached. Try again when the console is online.</source>
        <translation>未完成：无法连接服务器。请在终端恢复在线后重试。</translation>
    </message>
    <message>
        <source>Not done: the server wants a new login (use “Log in…” in the banner).</source>
        <translation>未完成：服务器要求重新登录（请点击横幅中的“登录…”）。</translation>
    </message>
    <message>
        <source>Not done: {error}</source>
        <translation>未完成：{error}</translation>
    </message>
</context>
<context>
    <name>AlarmModel</name>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Sensor</source>
        <translation>传感器</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>触发</translation>
    </message>
    <message>
        <source>Cleared at</source>
        <translation>解除时间</translation>
    </message>
    <message>
        <source>Acknowledged by</source>
        <translation>确认人</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Cleared</source>
        <translation>已解除</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>报警</translation>
    </message>
    <message>
        <source>above threshold</source>
        <translation>高于阈值</translation>
    </message>
    <message>
        <source>below threshold</source>
        <translation>低于阈值</translation>
    </message>
    <message>
        <source>changing too fast</source>
        <translation>变化过快</translation>
    </message>
    <message>
        <source>no readings (silent)</source>
        <translation>无数据上报（静默）</translation>
    </message>
    <message>
        <source>Threshold {threshold:g}, peak {peak}</source>
        <translation>阈值 {threshold:g}，峰值 {peak}</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>备注：{note}</translation>
    </message>
    <message>
        <source>automatically, back in range</source>
        <translation>自动解除，已恢复正常范围</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>原因：{reason}</translation>
    </message>
    <message>
        <source>Case {number}</source>
        <translation>案件 {number}</translation>
    </message>
</context>
<context>
    <name>ApproveExtensionDialog</name>
    <message>
        <source>working time</source>
        <translation>工作时间</translation>
    </message>
    <message>
        <source>calendar time</source>
        <translation>自然时间</translation>
    </message>
    <message>
        <source>{who} asks for {hours:g} more hours ({mode}).
Reason: {reason}</source>
        <translation>{who} 申请延期 {hours:g} 小时（{mode}）。
理由：{reason}</translation>
    </message>
    <message>
        <source>Grant</source>
        <translation>批准</translation>
    </message>
</context>
<context>
    <name>AuditDock</name>
    <message>
        <source>Last hour</source>
        <translation>最近 1 小时</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>From … to …</source>
        <translation>自定义时段</translation>
    </message>
    <message>
        <source>Online and offline</source>
        <translation>在线和离线</translation>
    </message>
    <message>
        <source>Issued online</source>
        <translation>在线操作</translation>
    </message>
    <message>
        <source>Issued offline</source>
        <translation>离线操作</translation>
    </message>
    <message>
        <source>The audit trail is kept on the server: connect to the server to see or export it.</source>
        <translation>审计日志保存在服务器上：请连接服务器后查看或导出。</translation>
    </message>
    <message>
        <source>All chains</source>
        <translation>所有链</translation>
    </message>
    <message>
        <source>Platform (no city: logins, accounts, settings)</source>
        <translation>平台（无城市：登录、账号、设置）</translation>
    </message>
    <message>
        <source>City {code} {name}</source>
        <translation>城市 {code} {name}</translation>
    </message>
    <message>
        <source>The end of the period must be after its start.</source>
        <translation>时段的结束时间必须晚于开始时间。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>No entry matches this filter.</source>
        <translation>没有符合筛选条件的记录。</translation>
    </message>
    <message>
        <source>Newest {n} entries shown; scroll down or press “Load more” for older ones.</source>
        <translation>已显示最新的 {n} 条记录；向下滚动或点击“加载更多”查看更早的记录。</translation>
    </message>
    <message>
        <source>{n} entries match this filter.</source>
        <translation>共 {n} 条记录符合筛选条件。</translation>
    </message>
    <message>
        <source>As of {time} (press Search to refresh): {text}</source>
        <translation>截至 {time}（按“查询”刷新）：{text}</translation>
    </message>
    <message>
        <source>The server did not answer; the audit trail needs the server. Try again later.</source>
        <translation>服务器没有响应；审计日志需要连接服务器。请稍后再试。</translation>
    </message>
    <message>
        <source>Your login at the server has expired. Log in again, then retry.</source>
        <translation>您在服务器上的登录已过期。请重新登录后再试。</translation>
    </message>
    <message>
        <source>Only shift leads and administrators may read the audit trail.</source>
        <translation>只有值班长和管理员可以查看审计日志。</translation>
    </message>
    <message>
        <source>The server refused: {message}</source>
        <translation>服务器拒绝：{message}</translation>
    </message>
    <message>
        <source>Export the audit trail</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Exported {n} entries to {path}.</source>
        <translation>已将 {n} 条记录导出到 {path}。</translation>
    </message>
    <message>
        <source>Cannot write the file: {error}</source>
        <translation>无法写入文件：{error}</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>时段：</translation>
    </message>
    <message>
        <source>Who:</source>
        <translation>人员：</translation>
    </message>
    <message>
        <source>What:</source>
        <translation>内容：</translation>
    </message>
    <message>
        <source>Chain:</source>
        <translation>链：</translation>
    </message>
    <message>
        <source>The entries of one chain: a city&apos;s cases, or the platform&apos;s actions</source>
        <translation>只看一条链的记录：某城市的案件，或平台的操作</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Console id</source>
        <translation>终端编号</translation>
    </message>
    <message>
        <source>Case or object id</source>
        <translation>案件或对象编号</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Load more</source>
        <translation>加载更多</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>From (inclusive)</source>
        <translation>开始（含）</translation>
    </message>
    <message>
        <source>To (exclusive)</source>
        <translation>结束（不含）</translation>
    </message>
    <message>
        <source>Any action</source>
        <translation>所有操作</translation>
    </message>
    <message>
        <source>Any result</source>
        <translation>所有结果</translation>
    </message>
</context>
<context>
    <name>AuditTrail</name>
    <message>
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Server time</source>
        <translation>服务器时间</translation>
    </message>
    <message>
        <source>Console time</source>
        <translation>终端时间</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Console</source>
        <translation>终端</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Object id</source>
        <translation>对象编号</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Hash</source>
        <translation>哈希</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已受理</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Emergency mode switch</source>
        <translation>平急转换</translation>
    </message>
    <message>
        <source>Account created</source>
        <translation>创建账号</translation>
    </message>
    <message>
        <source>Account replaced</source>
        <translation>替换账号</translation>
    </message>
    <message>
        <source>Reference data imported</source>
        <translation>导入基础数据</translation>
    </message>
    <message>
        <source>Logins locked after failures</source>
        <translation>多次失败后锁定登录</translation>
    </message>
    <message>
        <source>Logins unlocked</source>
        <translation>解除登录锁定</translation>
    </message>
    <message>
        <source>Console offline periods reported</source>
        <translation>上报控制台离线时段</translation>
    </message>
    <message>
        <source>Sensor readings received</source>
        <translation>接收传感器读数</translation>
    </message>
    <message>
        <source>Old sensor readings removed</source>
        <translation>删除过期的传感器读数</translation>
    </message>
    <message>
        <source>Shift started</source>
        <translation>开班</translation>
    </message>
    <message>
        <source>Shift ended</source>
        <translation>交班结束</translation>
    </message>
    <message>
        <source>Handover notes written</source>
        <translation>填写交接备注</translation>
    </message>
    <message>
        <source>Handover signed</source>
        <translation>交接签收</translation>
    </message>
    <message>
        <source>Alarm acknowledged</source>
        <translation>确认告警</translation>
    </message>
    <message>
        <source>Alarm cleared</source>
        <translation>解除告警</translation>
    </message>
    <message>
        <source>Photo attached</source>
        <translation>上传照片</translation>
    </message>
    <message>
        <source>Old photos removed</source>
        <translation>清理过期照片</translation>
    </message>
    <message>
        <source>Base map imported</source>
        <translation>导入底图</translation>
    </message>
    <message>
        <source>Detection confirmed</source>
        <translation>确认识别告警</translation>
    </message>
    <message>
        <source>Detection rejected</source>
        <translation>驳回识别告警</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账号</translation>
    </message>
    <message>
        <source>Setting</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Reference data</source>
        <translation>基础数据</translation>
    </message>
    <message>
        <source>Client address</source>
        <translation>客户端地址</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Sensor readings</source>
        <translation>传感器读数</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>交接班</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Base map</source>
        <translation>底图</translation>
    </message>
    <message>
        <source>Detection</source>
        <translation>识别告警</translation>
    </message>
    <message>
        <source>unusable: {raw}</source>
        <translation>无法使用：{raw}</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
</context>
<context>
    <name>Avl</name>
    <message>
        <source>Sanitation truck</source>
        <translation>环卫车</translation>
    </message>
    <message>
        <source>Muck truck</source>
        <translation>渣土车</translation>
    </message>
    <message>
        <source>Patrol car</source>
        <translation>巡查车</translation>
    </message>
    <message>
        <source>Inspector (handset)</source>
        <translation>监督员（手持终端）</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Last report</source>
        <translation>最近上报</translation>
    </message>
    <message>
        <source>Current case</source>
        <translation>当前案件</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>stale: no report for {minutes} min</source>
        <translation>离线：{minutes} 分钟未上报</translation>
    </message>
    <message>
        <source>{speed:.0f} km/h</source>
        <translation>{speed:.0f} 公里/小时</translation>
    </message>
    <message>
        <source>Vehicles and staff</source>
        <translation>车辆与人员</translation>
    </message>
    <message>
        <source>Track</source>
        <translation>轨迹</translation>
    </message>
    <message>
        <source>last report {age:.0f} min ago: position not current</source>
        <translation>{age:.0f} 分钟前最后上报：位置已过时</translation>
    </message>
    <message>
        <source>on another open case</source>
        <translation>正在处理其他案件</translation>
    </message>
    <message>
        <source>{dist:.1f} km away, about {eta:.0f} min; reported {age:.0f} min ago</source>
        <translation>距离 {dist:.1f} 公里，约 {eta:.0f} 分钟可到；{age:.0f} 分钟前上报</translation>
    </message>
</context>
<context>
    <name>CallbackDialog</name>
    <message>
        <source>Reached the reporter</source>
        <translation>已联系上反映人</translation>
    </message>
    <message>
        <source>Reporter:</source>
        <translation>反映人：</translation>
    </message>
    <message>
        <source>Call:</source>
        <translation>回访电话：</translation>
    </message>
    <message>
        <source>Satisfaction:</source>
        <translation>满意度：</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>{who} (report {number})</source>
        <translation>{who}（重复上报 {number}）</translation>
    </message>
</context>
<context>
    <name>CallbacksDock</name>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>反映人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结案时间</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>回访次数</translation>
    </message>
    <message>
        <source>Waiting for</source>
        <translation>等待</translation>
    </message>
    <message>
        <source>Last call</source>
        <translation>上次回访</translation>
    </message>
    <message>
        <source>Callbacks</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Record call…</source>
        <translation>登记回访…</translation>
    </message>
    <message>
        <source>Reopen…</source>
        <translation>重启案件…</translation>
    </message>
    <message>
        <source>The reporter is dissatisfied: put the case back in the dispatch queue</source>
        <translation>反映人不满意：将案件退回派遣队列</translation>
    </message>
    <message>
        <source>Decline…</source>
        <translation>不予重办…</translation>
    </message>
    <message>
        <source>Do not reopen: record the reason the reporter is told; the case leaves this list</source>
        <translation>不予重办：记录向市民说明的理由，案件移出此列表</translation>
    </message>
    <message>
        <source>{name} (report {number})</source>
        <translation>{name}（重复上报 {number}）</translation>
    </message>
    <message>
        <source>reporter</source>
        <translation>反映人</translation>
    </message>
    <message>
        <source>a call</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>a lead&apos;s decision</source>
        <translation>值班长决定</translation>
    </message>
    <message>
        <source>not reached</source>
        <translation>未联系上</translation>
    </message>
    <message>
        <source>{n} reporter(s) to call back ({retry} not reached before).</source>
        <translation>待回访 {n} 人（其中 {retry} 人此前未联系上）。</translation>
    </message>
    <message>
        <source>{n} dissatisfied reporter(s): a shift lead reopens their case or declines.</source>
        <translation>{n} 位市民不满意：由值班长决定重办或不予重办。</translation>
    </message>
</context>
<context>
    <name>CaseActionBar</name>
    <message>
        <source>{action}: {help}
Shortcut: {key}</source>
        <translation>{action}：{help}
快捷键：{key}</translation>
    </message>
</context>
<context>
    <name>CaseActions</name>
    <message>
        <source>Accept the report as a case (立案)</source>
        <translation>受理该上报并立案</translation>
    </message>
    <message>
        <source>Refuse the report: duplicate, not in scope or not verifiable (作废)</source>
        <translation>不予立案：重复、不属受理范围或无法核实（作废）</translation>
    </message>
    <message>
        <source>Send the case to a member unit (派遣)</source>
        <translation>将案件派遣至成员单位</translation>
    </message>
    <message>
        <source>Take the case on for your unit (接单)</source>
        <translation>本单位接单处置</translation>
    </message>
    <message>
        <source>Send the case back: not your unit&apos;s (退单)</source>
        <translation>退单：不属本单位职责</translation>
    </message>
    <message>
        <source>Report the work done (处置反馈)</source>
        <translation>处置完成反馈</translation>
    </message>
    <message>
        <source>Send an inspector to verify (核查)</source>
        <translation>派监督员核查</translation>
    </message>
    <message>
        <source>The problem is fixed</source>
        <translation>问题已解决</translation>
    </message>
    <message>
        <source>Not fixed: back to the unit for rework (返工)</source>
        <translation>未解决：退回单位返工</translation>
    </message>
    <message>
        <source>Close the verified case (结案)</source>
        <translation>对已核查案件结案</translation>
    </message>
    <message>
        <source>Ask the shift lead for more time (延期)</source>
        <translation>向值班长申请延期</translation>
    </message>
    <message>
        <source>Grant the requested extension</source>
        <translation>批准延期申请</translation>
    </message>
    <message>
        <source>Refuse the requested extension</source>
        <translation>驳回延期申请</translation>
    </message>
    <message>
        <source>Stop the clock, with a reason (缓办)</source>
        <translation>缓办：暂停计时（须填写原因）</translation>
    </message>
    <message>
        <source>Restart the clock</source>
        <translation>恢复计时</translation>
    </message>
    <message>
        <source>Escalate to the next level (督办)</source>
        <translation>督办：升级至上一级</translation>
    </message>
    <message>
        <source>Move the case to another unit (改派)</source>
        <translation>改派至其他单位</translation>
    </message>
    <message>
        <source>Add a note to the history</source>
        <translation>在办理记录中添加备注</translation>
    </message>
    <message>
        <source>Settle an ownership dispute: the unit that owns the case, with the reason (权属争议)</source>
        <translation>裁定权属争议：确定案件的权属单位并说明理由（权属争议）</translation>
    </message>
    <message>
        <source>Give another unit its own task on this case (协办)</source>
        <translation>为本案件增加协办单位，并派给其单独任务（协办）</translation>
    </message>
    <message>
        <source>End a co-handling unit&apos;s task, with a reason</source>
        <translation>撤销协办单位的任务，需填写原因</translation>
    </message>
    <message>
        <source>Take on your unit&apos;s co-handling task</source>
        <translation>接收本单位的协办任务</translation>
    </message>
    <message>
        <source>Give back your unit&apos;s co-handling task: not yours</source>
        <translation>退回本单位的协办任务：不属于本单位</translation>
    </message>
    <message>
        <source>Report your unit&apos;s part of the work done</source>
        <translation>反馈本单位协办部分已处置完成</translation>
    </message>
    <message>
        <source>Ask the grid&apos;s inspector to confirm the report on site before registering it (核实)</source>
        <translation>立案前请网格监督员到现场核实上报问题（核实）</translation>
    </message>
    <message>
        <source>Say whether the reported problem is there (核实)</source>
        <translation>反馈现场是否存在上报的问题（核实）</translation>
    </message>
    <message>
        <source>Send a written supervision order to a unit (督办)</source>
        <translation>向单位下发书面督办单（督办）</translation>
    </message>
    <message>
        <source>Answer the supervision order addressed to your unit</source>
        <translation>回复发给本单位的督办单</translation>
    </message>
    <message>
        <source>Accept the unit&apos;s reply: the order is done</source>
        <translation>认可单位回复：督办办结</translation>
    </message>
    <message>
        <source>Reject the unit&apos;s reply: back to the unit</source>
        <translation>不认可单位回复：退回单位</translation>
    </message>
    <message>
        <source>Record the call to the reporter (回访)</source>
        <translation>登记对反映人的回访（回访）</translation>
    </message>
    <message>
        <source>Reopen for a dissatisfied reporter: back to dispatch</source>
        <translation>反映人不满意，重启案件：退回派遣</translation>
    </message>
    <message>
        <source>Do not reopen for a dissatisfied reporter: the reason they are told</source>
        <translation>不满意件不予重办：填写向市民说明的理由</translation>
    </message>
    <message>
        <source>Record that the crew or the inspector is on site (到场)</source>
        <translation>记录处置人员或监督员已到场（到场）</translation>
    </message>
    <message>
        <source>A repeat of an open case: merge it into that case (合并)</source>
        <translation>重复件：合并到已有的未结案件（合并）</translation>
    </message>
    <message>
        <source>Not a repeat after all: back to where it was</source>
        <translation>并非重复件：恢复到合并前的状态</translation>
    </message>
    <message>
        <source>The case has moved on; this action no longer applies.</source>
        <translation>案件状态已变化，此操作不再适用。</translation>
    </message>
    <message>
        <source>Your role may not take this action.</source>
        <translation>您的角色无权执行此操作。</translation>
    </message>
    <message>
        <source>The case belongs to another unit.</source>
        <translation>该案件属于其他单位。</translation>
    </message>
    <message>
        <source>The case is not ready for this action.</source>
        <translation>案件尚不满足此操作的条件。</translation>
    </message>
    <message>
        <source>Some required information is missing or invalid.</source>
        <translation>部分必填信息缺失或无效。</translation>
    </message>
    <message>
        <source>Unknown member unit.</source>
        <translation>未知的成员单位。</translation>
    </message>
    <message>
        <source>The case is already with that unit.</source>
        <translation>案件已在该单位。</translation>
    </message>
    <message>
        <source>The case is already at the top of the unit hierarchy.</source>
        <translation>案件已在单位层级的最高级。</translation>
    </message>
    <message>
        <source>No reference data yet: log in online once.</source>
        <translation>尚无基础数据：请先在线登录一次。</translation>
    </message>
    <message>
        <source>Unknown category.</source>
        <translation>未知的类别。</translation>
    </message>
    <message>
        <source>Unknown grid code.</source>
        <translation>未知的网格编码。</translation>
    </message>
    <message>
        <source>The order is addressed to another unit.</source>
        <translation>该督办单发给的是其他单位。</translation>
    </message>
    <message>
        <source>The case has no such supervision order.</source>
        <translation>该案件没有这张督办单。</translation>
    </message>
    <message>
        <source>An order goes to the case&apos;s unit or a unit above it.</source>
        <translation>督办单只能发给案件所在单位或其上级单位。</translation>
    </message>
    <message>
        <source>The action was refused.</source>
        <translation>操作被拒绝。</translation>
    </message>
    <message>
        <source>The action failed: {error}</source>
        <translation>操作失败：{error}</translation>
    </message>
</context>
<context>
    <name>CaseAlarmLink</name>
    <message>
        <source>alarm {id}</source>
        <translation>告警 {id}</translation>
    </message>
    <message>
        <source>alarm</source>
        <translation>报警</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <source>{sensor} ({id}): {level} raised {time}</source>
        <translation>{sensor}（{id}）：{time} 触发{level}</translation>
    </message>
    <message>
        <source>Show the alarm in the alarm list and the sensor&apos;s readings</source>
        <translation>在告警列表中显示该告警及传感器读数</translation>
    </message>
</context>
<context>
    <name>CaseDetailDock</name>
    <message>
        <source>Case detail</source>
        <translation>案件详情</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>办理记录</translation>
    </message>
    <message>
        <source>Cannot read the case: {error}</source>
        <translation>无法读取案件：{error}</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Select a case in the queue, on the map or in the alarm list to see it here.</source>
        <translation>在案件列表、地图或报警列表中选择一个案件，即在此显示。</translation>
    </message>
    <message>
        <source>Reports ({n})</source>
        <translation>上报记录（{n}）</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>上报记录</translation>
    </message>
    <message>
        <source>{action} queued for {number}.</source>
        <translation>{number}：{action}已排队。</translation>
    </message>
    <message>
        <source>Offline: it will be sent when the server is reachable.</source>
        <translation>离线：将在可连接服务器时发送。</translation>
    </message>
</context>
<context>
    <name>CaseFieldsPanel</name>
    <message>
        <source>Number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Coordinates</source>
        <translation>坐标</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Responsible unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Escalation</source>
        <translation>督办升级</translation>
    </message>
    <message>
        <source>Stage and deadline</source>
        <translation>环节与时限</translation>
    </message>
    <message>
        <source>Returns / rework</source>
        <translation>退单 / 返工</translation>
    </message>
    <message>
        <source>Verification</source>
        <translation>核查</translation>
    </message>
    <message>
        <source>Extension request</source>
        <translation>延期申请</translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation>缓办</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>报告人</translation>
    </message>
    <message>
        <source>Sensor alarm</source>
        <translation>物联告警</translation>
    </message>
    <message>
        <source>Created / updated</source>
        <translation>创建 / 更新</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>{number} (provisional {provisional})</source>
        <translation>{number}（临时编号 {provisional}）</translation>
    </message>
    <message>
        <source> · emergency category</source>
        <translation> · 应急类别</translation>
    </message>
    <message>
        <source>not dispatched</source>
        <translation>未派遣</translation>
    </message>
    <message>
        <source>level {n}, with {unit}</source>
        <translation>第 {n} 级，由 {unit} 办理</translation>
    </message>
    <message>
        <source>{returns} returns, {rework} rework rounds</source>
        <translation>退单 {returns} 次，返工 {rework} 轮</translation>
    </message>
    <message>
        <source>passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>未通过</translation>
    </message>
    <message>
        <source> · inspector {name}</source>
        <translation> · 监督员 {name}</translation>
    </message>
    <message>
        <source>{hours:g} h ({mode}) by {who}: {reason}</source>
        <translation>{hours:g} 小时（{mode}），申请人 {who}：{reason}</translation>
    </message>
    <message>
        <source>working</source>
        <translation>工作时间</translation>
    </message>
    <message>
        <source>calendar</source>
        <translation>自然时间</translation>
    </message>
    <message>
        <source>since {time} (from {status})</source>
        <translation>自 {time} 起（原状态：{status}）</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
</context>
<context>
    <name>CaseHeader</name>
    <message>
        <source>No case selected</source>
        <translation>未选择案件</translation>
    </message>
    <message>
        <source>{n} waiting to sync</source>
        <translation>{n} 条待同步</translation>
    </message>
    <message>
        <source>Commands issued on this console that the server has not confirmed yet</source>
        <translation>在本操作台发出、服务器尚未确认的指令</translation>
    </message>
    <message>
        <source>overdue {time}</source>
        <translation>已超期 {time}</translation>
    </message>
    <message>
        <source>paused, {time} left</source>
        <translation>已暂停，剩余 {time}</translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation>剩余 {time}</translation>
    </message>
    <message>
        <source>working time</source>
        <translation>工作时间</translation>
    </message>
    <message>
        <source>calendar time</source>
        <translation>自然时间</translation>
    </message>
    <message>
        <source>{stage}: due {due} ({mode}) · {left}</source>
        <translation>{stage}：时限 {due}（{mode}）· {left}</translation>
    </message>
</context>
<context>
    <name>CaseLookup</name>
    <message>
        <source>Find a case</source>
        <translation>查找案件</translation>
    </message>
    <message>
        <source>Number, P·number, phone, address or words of the description</source>
        <translation>案件编号、P·临时编号、电话、地址或描述中的词</translation>
    </message>
    <message>
        <source>Searches every case on this console, whatever the queue shows, and the server&apos;s when online. Enter opens, Esc closes.</source>
        <translation>搜索本终端的全部案件（不论队列显示哪一页），联网时也搜索服务器。回车打开，Esc 关闭。</translation>
    </message>
    <message>
        <source>No case found for “{text}”.</source>
        <translation>没有找到与“{text}”相符的案件。</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s) found. ↑↓ to choose, Enter to open.</source>
        <translation>
            <numerusform>找到 %n 个案件。↑↓ 选择，回车打开。</numerusform>
        </translation>
    </message>
    <message>
        <source>Searching the server…</source>
        <translation>正在搜索服务器…</translation>
    </message>
    <message>
        <source>Offline: only this workstation&apos;s cache was searched; a case not in it (closed long ago, another district&apos;s) is not in this workstation&apos;s cache and can be found once the server is back.</source>
        <translation>离线：只搜索了本工作站的缓存；不在其中的案件（早已结案的、其他辖区的）不在本工作站的缓存中，服务器恢复后可以查到。</translation>
    </message>
    <message>
        <source>The server could not be searched ({why}); only this workstation&apos;s cache was.</source>
        <translation>无法搜索服务器（{why}）；只搜索了本工作站的缓存。</translation>
    </message>
    <message>
        <source>on the server</source>
        <translation>在服务器上</translation>
    </message>
    <message>
        <source>number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Fetching the case from the server…</source>
        <translation>正在从服务器获取案件…</translation>
    </message>
    <message>
        <source>The case could not be fetched from the server ({why}).</source>
        <translation>无法从服务器获取该案件（{why}）。</translation>
    </message>
</context>
<context>
    <name>CaseNumbers</name>
    <message>
        <source>P·{number} (offline)</source>
        <translation>P·{number}（离线）</translation>
    </message>
</context>
<context>
    <name>CaseQueueDock</name>
    <message>
        <source>Case queue</source>
        <translation>案件队列</translation>
    </message>
    <message>
        <source>Search number, description, address, grid, category… (Ctrl+F)</source>
        <translation>搜索编号、描述、地址、网格、类别…（Ctrl+F）</translation>
    </message>
    <message>
        <source>New case…</source>
        <translation>新建案件…</translation>
    </message>
    <message>
        <source>Register a hotline call or a walk-in report (Ctrl+N)</source>
        <translation>登记热线来电或来访上报（Ctrl+N）</translation>
    </message>
    <message>
        <source>{shown} of {total} cases</source>
        <translation>显示 {shown} / 共 {total} 件</translation>
    </message>
    <message>
        <source>Loading cases…</source>
        <translation>正在加载案件…</translation>
    </message>
</context>
<context>
    <name>CaseQueueModel</name>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>已历时</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>{unit} +{n} co-handling</source>
        <translation>{unit} +{n} 协办</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>working time</source>
        <translation>工作时间</translation>
    </message>
    <message>
        <source>calendar time</source>
        <translation>自然时间</translation>
    </message>
    <message>
        <source>Stage: {stage}
Due: {due} ({mode})</source>
        <translation>环节：{stage}
时限：{due}（{mode}）</translation>
    </message>
    <message>
        <source>Lead unit: {unit}</source>
        <translation>主办单位：{unit}</translation>
    </message>
    <message>
        <source>Co-handling: {unit} ({state})</source>
        <translation>协办：{unit}（{state}）</translation>
    </message>
    <message>
        <source>Commands issued on this console are waiting to reach the server</source>
        <translation>本操作台发出的指令正等待送达服务器</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>overdue {time}</source>
        <translation>超期 {time}</translation>
    </message>
</context>
<context>
    <name>CaseTasks</name>
    <message>
        <source>Waiting for acceptance</source>
        <translation>待接单</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>处置中</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>已处置</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>待办</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>For</source>
        <translation>承办方</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Given</source>
        <translation>派发时间</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Co-handling (协办)</source>
        <translation>协办</translation>
    </message>
    <message>
        <source>On-site check (核实)</source>
        <translation>现场核实</translation>
    </message>
    <message>
        <source>Verification (核查)</source>
        <translation>核查</translation>
    </message>
    <message>
        <source>{due} (overdue)</source>
        <translation>{due}（已超期）</translation>
    </message>
</context>
<context>
    <name>CaseTasksDock</name>
    <message>
        <source>Tasks ({n})</source>
        <translation>任务（{n}）</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>{n} open task(s), {late} overdue.</source>
        <translation>{n} 项待办任务，其中 {late} 项已超期。</translation>
    </message>
    <message>
        <source>{n} open task(s).</source>
        <translation>{n} 项待办任务。</translation>
    </message>
    <message>
        <source>No open tasks.</source>
        <translation>没有待办任务。</translation>
    </message>
</context>
<context>
    <name>CaseTasksPanel</name>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>处置完成</translation>
    </message>
    <message>
        <source>Lead (主办)</source>
        <translation>主办</translation>
    </message>
    <message>
        <source>Co-handling (协办)</source>
        <translation>协办</translation>
    </message>
    <message>
        <source>Overdue: escalated to {unit} at {at}</source>
        <translation>已超期：{at} 升级至{unit}</translation>
    </message>
    <message>
        <source>the center</source>
        <translation>指挥中心</translation>
    </message>
    <message>
        <source>{due} ↑ escalated</source>
        <translation>{due} ↑已升级</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>待核实</translation>
    </message>
    <message>
        <source>confirmed on site</source>
        <translation>现场核实属实</translation>
    </message>
    <message>
        <source>not found on site</source>
        <translation>现场未发现问题</translation>
    </message>
    <message>
        <source>On-site check (核实) by {inspector}, sent {sent}: {result}</source>
        <translation>现场核实：{inspector}，派发于 {sent}：{result}</translation>
    </message>
    <message>
        <source>Verification (核查) by {inspector}</source>
        <translation>核查人：{inspector}</translation>
    </message>
</context>
<context>
    <name>CaseTimeline</name>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Server time</source>
        <translation>服务器时间</translation>
    </message>
    <message>
        <source>Console time</source>
        <translation>操作台时间</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>{time} (offline)</source>
        <translation>{time}（离线）</translation>
    </message>
    <message>
        <source>pending sync</source>
        <translation>待同步</translation>
    </message>
    <message>
        <source>Console: {console}
Command: {command}</source>
        <translation>操作台：{console}
指令：{command}</translation>
    </message>
    <message>
        <source>Issued on this console; the server has not confirmed it yet.</source>
        <translation>在本操作台发出；服务器尚未确认。</translation>
    </message>
    <message>
        <source>not applied here</source>
        <translation>本机未生效</translation>
    </message>
    <message>
        <source>Queued for the server, but it no longer applies to the case as this console sees it; the server will decide.</source>
        <translation>已排队发往服务器，但按本操作台所见的案件状态已不再适用；将由服务器裁定。</translation>
    </message>
    <message>
        <source>unit: {unit}</source>
        <translation>单位：{unit}</translation>
    </message>
    <message>
        <source>inspector: {name}</source>
        <translation>监督员：{name}</translation>
    </message>
    <message>
        <source>working</source>
        <translation>工作时间</translation>
    </message>
    <message>
        <source>calendar</source>
        <translation>自然时间</translation>
    </message>
    <message>
        <source>{hours:g} h ({mode})</source>
        <translation>{hours:g} 小时（{mode}）</translation>
    </message>
    <message>
        <source>new deadline {due}</source>
        <translation>新时限 {due}</translation>
    </message>
    <message>
        <source>resumes {at}</source>
        <translation>{at} 恢复</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>{n} attachment(s)</source>
        <translation>{n} 个附件</translation>
    </message>
</context>
<context>
    <name>CaseViews</name>
    <message>
        <source>All active</source>
        <translation>全部在办</translation>
    </message>
    <message>
        <source>Every case that is neither closed nor voided</source>
        <translation>所有未结案、未作废的案件</translation>
    </message>
    <message>
        <source>To register</source>
        <translation>待立案</translation>
    </message>
    <message>
        <source>Status reported: awaiting registration or voiding</source>
        <translation>状态为上报：等待立案或作废</translation>
    </message>
    <message>
        <source>To dispatch</source>
        <translation>待派遣</translation>
    </message>
    <message>
        <source>Status registered or returned</source>
        <translation>状态为已立案或已退单</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超期</translation>
    </message>
    <message>
        <source>Active, not suspended, and the current stage&apos;s deadline has passed</source>
        <translation>在办、未缓办，且当前环节已超过时限</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已督办</translation>
    </message>
    <message>
        <source>Active with escalation level 1 or higher</source>
        <translation>在办且督办级别为 1 级及以上</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退单</translation>
    </message>
    <message>
        <source>Status returned: a unit sent it back</source>
        <translation>状态为退单：单位已退回</translation>
    </message>
    <message>
        <source>Awaiting verification</source>
        <translation>待核查</translation>
    </message>
    <message>
        <source>Status handled or verifying</source>
        <translation>状态为处置完成或核查中</translation>
    </message>
    <message>
        <source>My cases</source>
        <translation>我的案件</translation>
    </message>
    <message>
        <source>Active cases whose history names me (unit handlers: cases of my unit and its sub-units)</source>
        <translation>办理记录中涉及我的在办案件（专业部门人员：本单位及下属单位的案件）</translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation>应急</translation>
    </message>
    <message>
        <source>Active urgent cases and cases in an emergency category (shown in emergency mode)</source>
        <translation>在办的紧急案件及应急类别案件（应急模式下显示）</translation>
    </message>
    <message>
        <source>All cases</source>
        <translation>全部案件</translation>
    </message>
    <message>
        <source>Every case in the cache, closed and voided included</source>
        <translation>本地缓存中的所有案件，含已结案和已作废</translation>
    </message>
</context>
<context>
    <name>CategoryTree</name>
    <message>
        <source>Search categories by code or name (中文 / English)…</source>
        <translation>按编码或名称搜索类别（中文 / English）…</translation>
    </message>
    <message>
        <source>{code}
{zh}
{en}
Default priority: {priority}</source>
        <translation>{code}
{zh}
{en}
默认优先级：{priority}</translation>
    </message>
</context>
<context>
    <name>CloseShiftDialog</name>
    <message>
        <source>Close the shift</source>
        <translation>交班</translation>
    </message>
    <message>
        <source>Close the {shift} opened at {at}? The handover report is drafted from the server&apos;s records; you can add notes until the incoming lead signs it.</source>
        <translation>结束 {at} 开始的{shift}？交接班报告将根据服务器记录生成；接班值班长签字前您可以补充备注。</translation>
    </message>
    <message>
        <source>Notes for the incoming lead (optional)</source>
        <translation>给接班值班长的备注（可选）</translation>
    </message>
</context>
<context>
    <name>CoUnitDialog</name>
    <message>
        <source>(choose in the tree below)</source>
        <translation>（在下方单位树中选择）</translation>
    </message>
    <message>
        <source>Suggested co-unit:</source>
        <translation>建议协办单位：</translation>
    </message>
    <message>
        <source>Any unit:</source>
        <translation>全部单位：</translation>
    </message>
    <message>
        <source>Please choose the co-handling unit.</source>
        <translation>请选择协办单位。</translation>
    </message>
</context>
<context>
    <name>ConfirmCheckDialog</name>
    <message>
        <source>The problem is there, as reported</source>
        <translation>问题属实，与上报一致</translation>
    </message>
    <message>
        <source>Not found on site</source>
        <translation>现场未发现问题</translation>
    </message>
</context>
<context>
    <name>ConfirmDialog</name>
    <message>
        <source>{action} case {number}?</source>
        <translation>对案件 {number} 执行“{action}”？</translation>
    </message>
</context>
<context>
    <name>ConflictBanner</name>
    <message>
        <source>Open the case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <source>Show conflicts</source>
        <translation>查看冲突</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message numerus="yes">
        <source>(%n conflict(s) waiting)</source>
        <translation>
            <numerusform>（%n 条冲突待处理）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n command(s) refused by the server are waiting in the conflicts list.</source>
        <translation>
            <numerusform>有 %n 条被服务器拒绝的命令在冲突列表中待处理。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConflictsDock</name>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Issue the same action again: the rules allow it on the case as it is now</source>
        <translation>重新执行同一操作：按案件当前状态，规则允许</translation>
    </message>
    <message numerus="yes">
        <source>%n command(s) refused by the server and waiting for you.</source>
        <translation>
            <numerusform>%n 条命令被服务器拒绝，等待您处理。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n refusal(s) settled: the case was already as you wanted.</source>
        <translation>
            <numerusform>%n 条拒绝已自动了结：案件已是您要的状态。</numerusform>
        </translation>
    </message>
    <message>
        <source>Reassign to {unit}</source>
        <translation>改派给 {unit}</translation>
    </message>
    <message>
        <source>Why: {reason}</source>
        <translation>原因：{reason}</translation>
    </message>
    <message>
        <source>What you sent: {action} on {case}, {time}</source>
        <translation>您发送的：{time} 对 {case} 的“{action}”</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>监督员</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>The server said: {message}</source>
        <translation>服务器信息：{message}</translation>
    </message>
    <message>
        <source>Reassigned to {unit}: queued.</source>
        <translation>已改派给 {unit}：已排队。</translation>
    </message>
    <message>
        <source>Wanted to {action} to {unit} ({time}); refused: {reason}</source>
        <translation>曾于 {time} 要“{action}”给 {unit}，被拒绝：{reason}</translation>
    </message>
    <message>
        <source>Wanted to {action} ({time}); refused: {reason}</source>
        <translation>曾于 {time} 要“{action}”，被拒绝：{reason}</translation>
    </message>
    <message>
        <source>Add a note</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <source>Note on {case}:</source>
        <translation>{case} 的备注：</translation>
    </message>
    <message>
        <source>Note added: queued.</source>
        <translation>备注已添加：已排队。</translation>
    </message>
    <message>
        <source>Applied again: queued.</source>
        <translation>已重新执行：已排队。</translation>
    </message>
    <message>
        <source>Dismissed.</source>
        <translation>已关闭。</translation>
    </message>
    <message>
        <source>Drop the refused action; the server&apos;s version stands</source>
        <translation>放弃被拒绝的操作，以服务器版本为准</translation>
    </message>
    <message>
        <source>No conflicts.</source>
        <translation>没有冲突。</translation>
    </message>
</context>
<context>
    <name>ConflictsModel</name>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>发生了什么</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>{action} (settled)</source>
        <translation>{action}（已了结）</translation>
    </message>
    <message>
        <source>Issued</source>
        <translation>发出时间</translation>
    </message>
    <message>
        <source>{time} (offline)</source>
        <translation>{time}（离线）</translation>
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
        <source>Automatic (graphics card if there is one)</source>
        <translation>自动（有显卡时用显卡）</translation>
    </message>
    <message>
        <source>Graphics card</source>
        <translation>显卡</translation>
    </message>
    <message>
        <source>Software (less memory)</source>
        <translation>软件（占用内存更少）</translation>
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
        <source>Base map file</source>
        <translation>底图文件</translation>
    </message>
    <message>
        <source>An MBTiles file on this computer drawn under the grids (raster PNG/JPEG/WebP); empty: the server&apos;s base map</source>
        <translation>本机上的 MBTiles 文件，绘制在网格下方（PNG/JPEG/WebP 栅格瓦片）；留空：使用服务器的底图</translation>
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
        <source>Days closed cases stay in the cache</source>
        <translation>已结案件在缓存中保留的天数</translation>
    </message>
    <message>
        <source>Closed and voided cases older than this leave this workstation&apos;s cache (the lookup finds them on the server)</source>
        <translation>早于此天数的已结案和作废案件会移出本工作站的缓存（查找时可在服务器上找到）</translation>
    </message>
    <message>
        <source>Wall view: districts to cycle</source>
        <translation>大屏视图：轮播街道</translation>
    </message>
    <message>
        <source>Subdistrict codes the wall view shows in turn, separated by commas; &apos;all&apos; for every subdistrict; empty: the whole city</source>
        <translation>大屏视图依次显示的街道编码，用逗号分隔；填 all 轮播全部街道；留空：显示全城</translation>
    </message>
    <message>
        <source>Wall view: seconds per district</source>
        <translation>大屏视图：每个街道停留秒数</translation>
    </message>
    <message>
        <source>How long the wall view stays on one district before the next</source>
        <translation>大屏视图在一个街道停留多久后切换到下一个</translation>
    </message>
    <message>
        <source>Photo cache size (MB)</source>
        <translation>照片缓存大小（MB）</translation>
    </message>
    <message>
        <source>Most disk space kept for photos; the oldest full images already on the server are removed first</source>
        <translation>照片最多占用的磁盘空间；超出时先删除已上传到服务器的最早原图</translation>
    </message>
    <message>
        <source>Map drawing</source>
        <translation>地图绘制</translation>
    </message>
    <message>
        <source>Who draws the map: the graphics card, or the processor (about 60 MB less memory, no graphics driver needed); automatic: the processor only where there is no graphics card. Takes effect at the next start</source>
        <translation>由谁绘制地图：显卡，或处理器（约少占用 60 MB 内存，无需显卡驱动）；自动：仅在没有显卡时由处理器绘制。下次启动时生效</translation>
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
        <source>Every time on this console is shown in the city&apos;s time zone, the one deadlines and shifts are reckoned in.</source>
        <translation>本控制台的所有时间均按城市时区显示，时限和班次也按此时区计算。</translation>
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
    <name>CrashHandler</name>
    <message>
        <source>OneGrid: unexpected error</source>
        <translation>OneGrid：意外错误</translation>
    </message>
    <message>
        <source>The console hit an unexpected error. A report was written to:

{path}

Please send this file to your IT support. The console keeps running; restart it if it does not behave as expected.</source>
        <translation>操作台遇到意外错误，错误报告已写入：

{path}

请将此文件发送给信息技术支持人员。操作台将继续运行；如运行异常，请重新启动。</translation>
    </message>
</context>
<context>
    <name>Criteria</name>
    <message>
        <source>Registration criteria (立案标准): {text}</source>
        <translation>立案标准：{text}</translation>
    </message>
    <message>
        <source>Closing criteria (结案标准): {text}</source>
        <translation>结案标准：{text}</translation>
    </message>
    <message>
        <source>Handling limits: urgent {urgent}, ordinary {ordinary}, complex {complex}</source>
        <translation>处置时限：紧急 {urgent}，一般 {ordinary}，复杂 {complex}</translation>
    </message>
    <message>
        <source>not set for this category</source>
        <translation>本类别未设置</translation>
    </message>
</context>
<context>
    <name>Deadlines</name>
    <message>
        <source>New deadline {new} (was {old}): {granted} of working time move it by {moved} on the clock; nights, breaks and days off do not count.</source>
        <translation>新的时限 {new}（原为 {old}）：{granted} 工作时间相当于时钟上推迟 {moved}；夜间、午休和休息日不计。</translation>
    </message>
    <message>
        <source>New deadline {new} (was {old}): {granted} of calendar time.</source>
        <translation>新的时限 {new}（原为 {old}）：{granted} 自然时间。</translation>
    </message>
</context>
<context>
    <name>DecideOwnerDialog</name>
    <message>
        <source>Returned by:</source>
        <translation>退单单位：</translation>
    </message>
    <message>
        <source>Why this unit owns it (e.g. the asset register, the boundary map)</source>
        <translation>该单位为权属单位的依据（如部件台账、边界图）</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>理由：</translation>
    </message>
    <message>
        <source>The decision is recorded with its reason; the unit decided cannot return the case again (a shift lead may still reassign it).</source>
        <translation>裁定连同理由一并记录；被裁定的单位不能再退单（值班长仍可改派）。</translation>
    </message>
    <message>
        <source>Choose the unit that owns the case.</source>
        <translation>请选择案件的权属单位。</translation>
    </message>
    <message>
        <source>Give the reason for the decision.</source>
        <translation>请填写裁定理由。</translation>
    </message>
</context>
<context>
    <name>DetectionRatesPanel</name>
    <message>
        <source>Camera or drone</source>
        <translation>摄像头或无人机</translation>
    </message>
    <message>
        <source>Detection type</source>
        <translation>识别类型</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>False-positive rate</source>
        <translation>误报率</translation>
    </message>
    <message>
        <source>Cameras and drones belong to no unit: their false-positive rates are in the city-wide report (choose no unit).</source>
        <translation>摄像头和无人机不属于任何单位：其误报率见全市报表（不选单位）。</translation>
    </message>
    <message>
        <source>No detection was confirmed or rejected in the period.</source>
        <translation>本期间内没有被确认或驳回的识别结果。</translation>
    </message>
    <message>
        <source>False-positive rate per camera and detection type = {formula}, in the period.</source>
        <translation>各摄像头、各识别类型的误报率 = {formula}，统计本期间。</translation>
    </message>
</context>
<context>
    <name>DetectionReview</name>
    <message>
        <source>False positive: nothing there</source>
        <translation>误报：现场无此情况</translation>
    </message>
    <message>
        <source>Not a problem (allowed, temporary)</source>
        <translation>不构成问题（允许或临时）</translation>
    </message>
    <message>
        <source>Outside our jurisdiction</source>
        <translation>不属本中心管辖</translation>
    </message>
    <message>
        <source>Already being handled</source>
        <translation>已在处置中</translation>
    </message>
</context>
<context>
    <name>DetectionReviewDock</name>
    <message>
        <source>Seen at</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <source>Camera / drone</source>
        <translation>摄像头 / 无人机</translation>
    </message>
    <message>
        <source>What</source>
        <translation>识别类型</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>Seen again</source>
        <translation>重复发现</translation>
    </message>
    <message>
        <source>Confirm → case</source>
        <translation>确认 → 立案</translation>
    </message>
    <message>
        <source>Open a case for it, with the frame attached</source>
        <translation>为其生成案件，并附上识别画面</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>Why it is rejected</source>
        <translation>驳回原因</translation>
    </message>
    <message>
        <source>Detections to review</source>
        <translation>待审核识别</translation>
    </message>
    <message numerus="yes">
        <source>%n new</source>
        <translation>
            <numerusform>新增 %n 条</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n detection(s) wait for a decision</source>
        <translation>
            <numerusform>%n 条识别待审核</numerusform>
        </translation>
    </message>
    <message>
        <source>No detection waits for a decision.</source>
        <translation>没有待审核的识别。</translation>
    </message>
    <message numerus="yes">
        <source>Seen %n more time(s) by the same camera since; waits for a decision.</source>
        <translation>
            <numerusform>此后同一摄像头又发现 %n 次；待审核。</numerusform>
        </translation>
    </message>
    <message>
        <source>Waits for a decision: its type is confirmed by a person.</source>
        <translation>待审核：此类识别须人工确认。</translation>
    </message>
    <message>
        <source>{what} · category {category} · at {lat:.5f}, {lon:.5f}
Frame: {frame}
{why}</source>
        <translation>{what} · 类别 {category} · 位置 {lat:.5f}, {lon:.5f}
画面：{frame}
{why}</translation>
    </message>
    <message>
        <source>none sent</source>
        <translation>未上传</translation>
    </message>
    <message>
        <source>Please write the reason.</source>
        <translation>请填写原因。</translation>
    </message>
    <message>
        <source>The decision was not queued: {error}</source>
        <translation>审核结果未能入队：{error}</translation>
    </message>
</context>
<context>
    <name>DispatchDialog</name>
    <message>
        <source>Primary</source>
        <translation>主责</translation>
    </message>
    <message>
        <source>Secondary</source>
        <translation>次责</translation>
    </message>
    <message>
        <source>Rank {n}</source>
        <translation>第 {n} 顺位</translation>
    </message>
    <message>
        <source>all categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>all {kind}</source>
        <translation>全部{kind}</translation>
    </message>
    <message>
        <source>all areas</source>
        <translation>全部区域</translation>
    </message>
    <message>
        <source>grid {code}</source>
        <translation>网格 {code}</translation>
    </message>
    <message>
        <source>community {code}</source>
        <translation>社区 {code}</translation>
    </message>
    <message>
        <source>street {code}</source>
        <translation>街道 {code}</translation>
    </message>
    <message>
        <source>county {code}</source>
        <translation>区县 {code}</translation>
    </message>
    <message>
        <source>{rank} for {category} in {area}</source>
        <translation>{area} {category} 的{rank}单位</translation>
    </message>
    <message>
        <source> — no grid matched the location</source>
        <translation> — 位置不在任何网格内</translation>
    </message>
    <message>
        <source>Escalation level {level}: above {child}</source>
        <translation>督办第 {level} 级：{child} 的上级</translation>
    </message>
    <message>
        <source>No responsibility rule matches; the city office coordinates</source>
        <translation>无匹配的责任规则；由城管办协调</translation>
    </message>
    <message>
        <source>Suggested unit</source>
        <translation>建议单位</translation>
    </message>
    <message>
        <source>Match</source>
        <translation>匹配</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>No grid of the city matched this case&apos;s location: the suggestions below only follow the category. Check the place before dispatching.</source>
        <translation>本案件位置不在本市任何网格内：以下建议仅按类别给出。派遣前请核实地点。</translation>
    </message>
    <message>
        <source>Suggestions (responsibility matrix: category × area):</source>
        <translation>建议（责任矩阵：类别 × 区域）：</translation>
    </message>
    <message>
        <source>Nearest crews now (live positions):</source>
        <translation>最近的处置力量（实时位置）：</translation>
    </message>
    <message>
        <source>Or choose any unit:</source>
        <translation>或选择任一单位：</translation>
    </message>
    <message>
        <source>Send to:</source>
        <translation>派遣至：</translation>
    </message>
    <message>
        <source>Optional note for the unit</source>
        <translation>给单位的备注（可选）</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>(choose a unit)</source>
        <translation>（请选择单位）</translation>
    </message>
    <message>
        <source>Choose the unit to send the case to.</source>
        <translation>请选择要派遣的单位。</translation>
    </message>
</context>
<context>
    <name>DisputeDock</name>
    <message>
        <source>Ownership disputes ({n})</source>
        <translation>权属争议（{n}）</translation>
    </message>
    <message>
        <source>Owner decided for case {n}.</source>
        <translation>案件 {n} 的权属已裁定。</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>In dispute since</source>
        <translation>争议开始时间</translation>
    </message>
    <message>
        <source>Returned by</source>
        <translation>退单单位</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Decide owner…</source>
        <translation>裁定权属…</translation>
    </message>
    <message>
        <source>A shift lead decides which unit owns the case (权属争议)</source>
        <translation>由值班长裁定案件的权属单位（权属争议）</translation>
    </message>
</context>
<context>
    <name>DuplicatesBox</name>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>已历时</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Add the call to the selected case</source>
        <translation>将来电并入所选案件</translation>
    </message>
    <message>
        <source>Adds the caller&apos;s report as a note to the existing case instead of opening a new one</source>
        <translation>将来电内容作为备注添加到已有案件，而不新建案件</translation>
    </message>
    <message>
        <source>Create a new case anyway</source>
        <translation>仍然新建案件</translation>
    </message>
    <message>
        <source>Possible duplicates: same category, within {m:g} m, reported in the last {h:g} h, still open</source>
        <translation>可能重复：同一类别、{m:g} 米范围内、最近 {h:g} 小时内上报且尚未办结</translation>
    </message>
</context>
<context>
    <name>Duration</name>
    <message>
        <source>{d}d {h}h</source>
        <translation>{d}天{h}小时</translation>
    </message>
    <message>
        <source>{h}h {m:02d}m</source>
        <translation>{h}小时{m:02d}分</translation>
    </message>
    <message>
        <source>{m}m {s:02d}s</source>
        <translation>{m}分{s:02d}秒</translation>
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
        <translation>上一级（{unit}）</translation>
    </message>
    <message>
        <source>Escalate to:</source>
        <translation>升级至：</translation>
    </message>
    <message>
        <source>Already escalated {n} time(s), now with {unit}.</source>
        <translation>已督办 {n} 次，当前由 {unit} 办理。</translation>
    </message>
</context>
<context>
    <name>ExtensionDialog</name>
    <message>
        <source>Extra time:</source>
        <translation>延长时间：</translation>
    </message>
    <message>
        <source>An extension can be at most 90 days.</source>
        <translation>延期最长为 90 天。</translation>
    </message>
</context>
<context>
    <name>FieldLimits</name>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>FiguresModel</name>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Numerator / denominator</source>
        <translation>分子 / 分母</translation>
    </message>
    <message>
        <source>Formula</source>
        <translation>计算公式</translation>
    </message>
</context>
<context>
    <name>FollowUpDock</name>
    <message>
        <source>Queued.</source>
        <translation>已排队。</translation>
    </message>
</context>
<context>
    <name>Gazetteer</name>
    <message>
        <source>Road</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Landmark</source>
        <translation>地标</translation>
    </message>
    <message>
        <source>Subdistrict</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Community</source>
        <translation>社区</translation>
    </message>
    <message>
        <source>Water</source>
        <translation>水域</translation>
    </message>
    <message>
        <source>Park</source>
        <translation>公园</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Member unit</source>
        <translation>成员单位</translation>
    </message>
    <message>
        <source>Case address</source>
        <translation>案件地址</translation>
    </message>
</context>
<context>
    <name>HandoverDock</name>
    <message>
        <source>The server cannot be reached; try again when the console is online.</source>
        <translation>无法连接服务器；请在控制台联网后重试。</translation>
    </message>
    <message>
        <source>{shift} open since {at}, led by {lead}</source>
        <translation>{shift}自 {at} 起进行中，值班长 {lead}</translation>
    </message>
    <message>
        <source>No shift is open.</source>
        <translation>当前没有进行中的班次。</translation>
    </message>
    <message>
        <source>Shift under way (timeline only)</source>
        <translation>进行中的班次（仅时间线）</translation>
    </message>
    <message>
        <source>signed</source>
        <translation>已签字</translation>
    </message>
    <message>
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Opening and closing a shift needs the server.</source>
        <translation>开班和交班需要连接服务器。</translation>
    </message>
    <message>
        <source>Shift opened.</source>
        <translation>已开班。</translation>
    </message>
    <message>
        <source>Shift closed; the handover report is drafted.</source>
        <translation>已交班；交接班报告草稿已生成。</translation>
    </message>
    <message>
        <source>Shift handover</source>
        <translation>交接班</translation>
    </message>
    <message>
        <source>Handover signed; your shift has started.</source>
        <translation>交接已签收；您的班次已开始。</translation>
    </message>
    <message>
        <source>Export the handover report</source>
        <translation>导出交接班报告</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Shift handover report</source>
        <translation>交接班报告</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Shift handover is for shift leads.</source>
        <translation>交接班仅供值班长使用。</translation>
    </message>
    <message>
        <source>Open shift…</source>
        <translation>开班…</translation>
    </message>
    <message>
        <source>Close shift…</source>
        <translation>交班…</translation>
    </message>
    <message>
        <source>Shift:</source>
        <translation>班次：</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
</context>
<context>
    <name>HandoverReport</name>
    <message>
        <source>Day shift</source>
        <translation>白班</translation>
    </message>
    <message>
        <source>Night shift</source>
        <translation>夜班</translation>
    </message>
    <message>
        <source>Only the outgoing lead edits the notes, and only before the report is signed.</source>
        <translation>只有交班值班长可以编辑备注，且仅限报告签字之前。</translation>
    </message>
    <message>
        <source>This report cannot be signed here: it is signed already, a signature or a notes edit is waiting to be sent, or you are its outgoing lead.</source>
        <translation>此处无法签字：报告已签字，或有签字或备注修改尚待发送，或您是本班的交班值班长。</translation>
    </message>
    <message>
        <source>Shift handover report</source>
        <translation>交接班报告</translation>
    </message>
    <message>
        <source>{shift}, {start} – {end} (scheduled {sstart} – {send})</source>
        <translation>{shift}，{start} – {end}（排班 {sstart} – {send}）</translation>
    </message>
    <message>
        <source>Outgoing lead: {lead}. On duty: {names}.</source>
        <translation>交班值班长：{lead}。值班人员：{names}。</translation>
    </message>
    <message>
        <source>None.</source>
        <translation>无。</translation>
    </message>
    <message>
        <source>… and {n} more.</source>
        <translation>……另有 {n} 条。</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Still open by status</source>
        <translation>未结案件（按状态）</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Remarks of the incoming lead</source>
        <translation>接班值班长意见</translation>
    </message>
    <message>
        <source>Overdue cases</source>
        <translation>超期案件</translation>
    </message>
    <message>
        <source>Escalated cases</source>
        <translation>升级督办的案件</translation>
    </message>
    <message>
        <source>Escalated to</source>
        <translation>升级至</translation>
    </message>
    <message>
        <source>Escalated cases still open (carried over)</source>
        <translation>仍未办结的升级案件（延续交接）</translation>
    </message>
    <message>
        <source>Supervision orders still open (carried over)</source>
        <translation>仍未办结的督办单（延续交接）</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>督办单</translation>
    </message>
    <message>
        <source>Co-handling tasks and on-site checks still open (carried over)</source>
        <translation>仍未完成的协办任务和核实任务（移交）</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>co-handling</source>
        <translation>协办</translation>
    </message>
    <message>
        <source>on-site check</source>
        <translation>核实</translation>
    </message>
    <message>
        <source>Unit or inspector</source>
        <translation>单位或监督员</translation>
    </message>
    <message>
        <source>Waiting for</source>
        <translation>等待</translation>
    </message>
    <message>
        <source>the unit&apos;s reply</source>
        <translation>单位回复</translation>
    </message>
    <message>
        <source>the lead&apos;s decision</source>
        <translation>值班长审核</translation>
    </message>
    <message>
        <source>OVERDUE</source>
        <translation>已超期</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Returned cases</source>
        <translation>退单案件</translation>
    </message>
    <message>
        <source>Returned by</source>
        <translation>退单单位</translation>
    </message>
    <message>
        <source>At</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Waiting for a decision</source>
        <translation>待决定事项</translation>
    </message>
    <message>
        <source>Extension requests</source>
        <translation>延期申请</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>Asked by</source>
        <translation>申请人</translation>
    </message>
    <message>
        <source>Verification failures</source>
        <translation>核查未通过</translation>
    </message>
    <message>
        <source>Sensor alarms</source>
        <translation>传感器告警</translation>
    </message>
    <message>
        <source>Raised during the shift</source>
        <translation>本班新发生</translation>
    </message>
    <message>
        <source>Still active at the end</source>
        <translation>交班时仍未解除</translation>
    </message>
    <message>
        <source>Sensor</source>
        <translation>传感器</translation>
    </message>
    <message>
        <source>Escalated cases still open</source>
        <translation>仍未办结的升级案件</translation>
    </message>
    <message>
        <source>Supervision orders still open</source>
        <translation>仍未办结的督办单</translation>
    </message>
    <message>
        <source>of which overdue</source>
        <translation>其中超期</translation>
    </message>
    <message>
        <source>Co-handling tasks and on-site checks still open</source>
        <translation>仍未完成的协办和核实任务</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>发生时间</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Emergency mode</source>
        <translation>应急模式</translation>
    </message>
    <message>
        <source>From</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>(already on)</source>
        <translation>（交接前已开启）</translation>
    </message>
    <message>
        <source>still on</source>
        <translation>仍在进行</translation>
    </message>
    <message>
        <source>Console outages</source>
        <translation>控制台断网</translation>
    </message>
    <message>
        <source>Console</source>
        <translation>控制台</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Notes of the outgoing lead</source>
        <translation>交班值班长备注</translation>
    </message>
    <message>
        <source>Signature</source>
        <translation>签字</translation>
    </message>
    <message>
        <source>Signed by {lead} at {at}.</source>
        <translation>已由 {lead} 于 {at} 签字。</translation>
    </message>
    <message>
        <source>Signed on this console; waiting to be sent to the server.</source>
        <translation>已在本控制台签字，等待发送到服务器。</translation>
    </message>
    <message>
        <source>Not signed yet (draft).</source>
        <translation>尚未签字（草稿）。</translation>
    </message>
    <message>
        <source>Content hash: {hash}</source>
        <translation>内容哈希：{hash}</translation>
    </message>
    <message>
        <source>Evaluation of the shift (each stage charged to its owner)</source>
        <translation>本班次考核（各环节计入其责任岗位）</translation>
    </message>
    <message>
        <source>The center&apos;s posts</source>
        <translation>中心各岗位</translation>
    </message>
    <message>
        <source>Post</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Numerator / denominator</source>
        <translation>分子 / 分母</translation>
    </message>
    <message>
        <source>Formula</source>
        <translation>公式</translation>
    </message>
    <message>
        <source>Open ownership disputes (权属争议)</source>
        <translation>未决权属争议（权属争议）</translation>
    </message>
    <message>
        <source>In dispute since</source>
        <translation>争议开始时间</translation>
    </message>
    <message>
        <source>Returns</source>
        <translation>退单次数</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>新上报</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>立案</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>派遣</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>处置完成</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>退单</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>升级督办</translation>
    </message>
    <message>
        <source>Still open at the end</source>
        <translation>交班时未结案件</translation>
    </message>
</context>
<context>
    <name>HandoverReportPanel</name>
    <message>
        <source>Dismiss</source>
        <translation>知道了</translation>
    </message>
    <message>
        <source>Notes of the outgoing lead</source>
        <translation>交班值班长备注</translation>
    </message>
    <message>
        <source>Save notes</source>
        <translation>保存备注</translation>
    </message>
    <message>
        <source>Sign…</source>
        <translation>签字…</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>The report is drafted when the shift is closed.</source>
        <translation>交班时自动生成报告草稿。</translation>
    </message>
    <message>
        <source>Your signature</source>
        <translation>您的签字</translation>
    </message>
    <message>
        <source>Your notes</source>
        <translation>您的备注</translation>
    </message>
    <message>
        <source>{what} was refused by the server: {message}</source>
        <translation>{what}被服务器拒绝：{message}</translation>
    </message>
    <message>
        <source>Signed by {lead}; the report can no longer change.</source>
        <translation>已由 {lead} 签字；报告不可再修改。</translation>
    </message>
    <message>
        <source>Signed here; waiting to be sent to the server.</source>
        <translation>已在本机签字，等待发送到服务器。</translation>
    </message>
    <message>
        <source>Notes saved here; waiting to be sent to the server.</source>
        <translation>备注已在本机保存，等待发送到服务器。</translation>
    </message>
    <message>
        <source>Draft: the incoming lead signs it.</source>
        <translation>草稿：由接班值班长签字。</translation>
    </message>
    <message>
        <source>Draft by {lead}: review it and sign.</source>
        <translation>{lead} 的草稿：请审阅并签字。</translation>
    </message>
</context>
<context>
    <name>IssueOrderDialog</name>
    <message>
        <source>the level&apos;s limit</source>
        <translation>按级别时限</translation>
    </message>
    <message>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <source>To unit:</source>
        <translation>督办单位：</translation>
    </message>
    <message>
        <source>Level:</source>
        <translation>督办级别：</translation>
    </message>
    <message>
        <source>Reply within:</source>
        <translation>回复时限：</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>督办内容</translation>
    </message>
    <message>
        <source>The case is with no unit to send an order to.</source>
        <translation>该案件尚无承办单位，无法下发督办单。</translation>
    </message>
    <message>
        <source>Please write the order.</source>
        <translation>请填写督办内容。</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Reported</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>已立案</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>已派遣</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>处置中</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退单</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>处置完成</translation>
    </message>
    <message>
        <source>Verifying</source>
        <translation>核查中</translation>
    </message>
    <message>
        <source>Suspended</source>
        <translation>缓办</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>已作废</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>已合并</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>立案</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派遣</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接单</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退单</translation>
    </message>
    <message>
        <source>Report handled</source>
        <translation>处置反馈</translation>
    </message>
    <message>
        <source>Send to verify</source>
        <translation>派发核查</translation>
    </message>
    <message>
        <source>Verification passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <source>Verification failed</source>
        <translation>核查不通过</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Request extension</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Approve extension</source>
        <translation>批准延期</translation>
    </message>
    <message>
        <source>Deny extension</source>
        <translation>驳回延期</translation>
    </message>
    <message>
        <source>Suspend</source>
        <translation>缓办</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Escalate</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Reassign</source>
        <translation>改派</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Decide owner</source>
        <translation>裁定权属</translation>
    </message>
    <message>
        <source>Add co-handling unit</source>
        <translation>增加协办单位</translation>
    </message>
    <message>
        <source>Remove co-handling unit</source>
        <translation>撤销协办单位</translation>
    </message>
    <message>
        <source>Accept co-handling task</source>
        <translation>协办接单</translation>
    </message>
    <message>
        <source>Return co-handling task</source>
        <translation>协办退单</translation>
    </message>
    <message>
        <source>Report co-handling done</source>
        <translation>协办反馈</translation>
    </message>
    <message>
        <source>Send for on-site check</source>
        <translation>派发核实</translation>
    </message>
    <message>
        <source>Confirm on-site check</source>
        <translation>核实反馈</translation>
    </message>
    <message>
        <source>Issue supervision order</source>
        <translation>下发督办单</translation>
    </message>
    <message>
        <source>Reply to order</source>
        <translation>督办回复</translation>
    </message>
    <message>
        <source>Accept order reply</source>
        <translation>督办办结</translation>
    </message>
    <message>
        <source>Reject order reply</source>
        <translation>督办退回</translation>
    </message>
    <message>
        <source>Decline to reopen</source>
        <translation>不予重办</translation>
    </message>
    <message>
        <source>Co-handling task overdue</source>
        <translation>协办超期</translation>
    </message>
    <message>
        <source>Order overdue</source>
        <translation>督办超期</translation>
    </message>
    <message>
        <source>Record callback</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重启</translation>
    </message>
    <message>
        <source>Arrived on site</source>
        <translation>到场</translation>
    </message>
    <message>
        <source>Merge into</source>
        <translation>合并到</translation>
    </message>
    <message>
        <source>Unmerge</source>
        <translation>取消合并</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>受理员</translation>
    </message>
    <message>
        <source>Shift lead</source>
        <translation>值班长</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>监督员</translation>
    </message>
    <message>
        <source>Unit handler</source>
        <translation>专业部门</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>Ordinary</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>Complex</source>
        <translation>疑难</translation>
    </message>
    <message>
        <source>12345 hotline</source>
        <translation>12345热线</translation>
    </message>
    <message>
        <source>Grid inspector</source>
        <translation>网格监督员</translation>
    </message>
    <message>
        <source>Sensor alarm</source>
        <translation>物联感知</translation>
    </message>
    <message>
        <source>Video AI</source>
        <translation>视频智能识别</translation>
    </message>
    <message>
        <source>Citizen app</source>
        <translation>市民通</translation>
    </message>
    <message>
        <source>Walk-in</source>
        <translation>来访</translation>
    </message>
    <message>
        <source>Drone patrol</source>
        <translation>无人机巡查</translation>
    </message>
    <message>
        <source>Handle</source>
        <translation>处置</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>核查</translation>
    </message>
    <message>
        <source>Public utilities</source>
        <translation>公用设施</translation>
    </message>
    <message>
        <source>Roads and traffic</source>
        <translation>道路交通</translation>
    </message>
    <message>
        <source>City appearance and environment</source>
        <translation>市容环境</translation>
    </message>
    <message>
        <source>Parks and greenery</source>
        <translation>园林绿化</translation>
    </message>
    <message>
        <source>Buildings and land</source>
        <translation>房屋土地</translation>
    </message>
    <message>
        <source>Other facilities</source>
        <translation>其他设施</translation>
    </message>
    <message>
        <source>Advertising</source>
        <translation>宣传广告</translation>
    </message>
    <message>
        <source>Construction management</source>
        <translation>施工管理</translation>
    </message>
    <message>
        <source>Emergencies</source>
        <translation>突发事件</translation>
    </message>
    <message>
        <source>Street order</source>
        <translation>街面秩序</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Components</source>
        <translation>部件</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Ordinary order</source>
        <translation>一般督办</translation>
    </message>
    <message>
        <source>Urgent order</source>
        <translation>紧急督办</translation>
    </message>
    <message>
        <source>Leader-level order</source>
        <translation>领导督办</translation>
    </message>
    <message>
        <source>Satisfied</source>
        <translation>满意</translation>
    </message>
    <message>
        <source>Basically satisfied</source>
        <translation>基本满意</translation>
    </message>
    <message>
        <source>Dissatisfied</source>
        <translation>不满意</translation>
    </message>
</context>
<context>
    <name>LeadQueueDock</name>
    <message>
        <source>Lead&apos;s work queue</source>
        <translation>值班长待办</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Waiting since</source>
        <translation>等待自</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Extension requests</source>
        <translation>延期申请</translation>
    </message>
    <message>
        <source>Verification failures</source>
        <translation>核查不通过</translation>
    </message>
    <message>
        <source>Escalations</source>
        <translation>督办升级</translation>
    </message>
    <message>
        <source>Suspensions due to resume</source>
        <translation>缓办到期待恢复</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>冲突</translation>
    </message>
    <message numerus="yes">
        <source>%n new</source>
        <translation>
            <numerusform>新增 %n 项</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) waiting for a lead.</source>
        <translation>
            <numerusform>%n 项等待值班长处理。</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing waits for a lead.</source>
        <translation>没有等待值班长处理的事项。</translation>
    </message>
    <message>
        <source>working</source>
        <translation>工作时间</translation>
    </message>
    <message>
        <source>calendar</source>
        <translation>自然时间</translation>
    </message>
    <message>
        <source>{hours:g} h ({mode}) asked by {who}: {reason}</source>
        <translation>{who} 申请 {hours:g} 小时（{mode}）：{reason}</translation>
    </message>
    <message>
        <source>rework {n}: {reason}</source>
        <translation>第 {n} 次返工：{reason}</translation>
    </message>
    <message>
        <source>planned to resume at {at}</source>
        <translation>计划于 {at} 恢复</translation>
    </message>
    <message>
        <source>level {level}, to {unit}</source>
        <translation>第 {level} 级，督办至 {unit}</translation>
    </message>
    <message>
        <source>{action} refused: {reason}</source>
        <translation>“{action}”被拒绝：{reason}</translation>
    </message>
</context>
<context>
    <name>LengthGuard</name>
    <message>
        <source>{n} characters too many</source>
        <translation>超出 {n} 个字符</translation>
    </message>
    <message>
        <source>{field} is {n} characters long; at most {limit} are accepted. Please shorten it.</source>
        <translation>{field}共 {n} 个字符，最多允许 {limit} 个，请删减。</translation>
    </message>
</context>
<context>
    <name>LocationFields</name>
    <message>
        <source>latitude</source>
        <translation>纬度</translation>
    </message>
    <message>
        <source>longitude</source>
        <translation>经度</translation>
    </message>
    <message>
        <source>Pick on map</source>
        <translation>在地图上选点</translation>
    </message>
    <message>
        <source>Click the place on the map; the coordinates come back here</source>
        <translation>在地图上点击位置，坐标将回填到此处</translation>
    </message>
    <message>
        <source>grid code or name, e.g. 33010600100101</source>
        <translation>网格编码或名称，例如 33010600100101</translation>
    </message>
    <message>
        <source>The place is outside the city&apos;s grids: save it anyway</source>
        <translation>该地点不在本市网格内：仍然保存</translation>
    </message>
    <message>
        <source>Coordinates are numbers in degrees, e.g. 30.2741 and 120.1551.</source>
        <translation>坐标为以度表示的数字，例如 30.2741 和 120.1551。</translation>
    </message>
    <message>
        <source>Latitude must be between -90 and 90 (it is {value:g}).</source>
        <translation>纬度必须在 -90 到 90 之间（当前为 {value:g}）。</translation>
    </message>
    <message>
        <source>Longitude must be between -180 and 180 (it is {value:g}).</source>
        <translation>经度必须在 -180 到 180 之间（当前为 {value:g}）。</translation>
    </message>
    <message>
        <source>No grid of the city contains this point: the case would have no grid and no responsible area. Check the coordinates, or confirm below.</source>
        <translation>本市没有网格包含此点：案件将没有网格和责任区域。请核对坐标，或在下方确认。</translation>
    </message>
    <message>
        <source>unknown grid code</source>
        <translation>未知的网格编码</translation>
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
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New case…</source>
        <translation>新建案件(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Find a case…</source>
        <translation>查找案件(&amp;F)…</translation>
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
        <source>&amp;Wall view</source>
        <translation>大屏视图(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
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
    <message>
        <source>1 command issued on this console has not reached the server yet.</source>
        <translation>本终端有 1 条指令尚未送达服务器。</translation>
    </message>
    <message>
        <source>{n} commands issued on this console have not reached the server yet.</source>
        <translation>本终端有 {n} 条指令尚未送达服务器。</translation>
    </message>
    <message>
        <source>Quit with unsent work?</source>
        <translation>有未发送的工作，仍要退出？</translation>
    </message>
    <message>
        <source>They stay queued on this computer and will be sent at your next login here. Quit now?</source>
        <translation>这些指令保存在本机队列中，将在您下次在此登录时发送。现在退出吗？</translation>
    </message>
    <message>
        <source>Quit, send at next login</source>
        <translation>退出，下次登录时发送</translation>
    </message>
    <message>
        <source>Stay</source>
        <translation>留下</translation>
    </message>
</context>
<context>
    <name>MapDock</name>
    <message>
        <source>Map</source>
        <translation>地图</translation>
    </message>
    <message>
        <source>Loading the map…</source>
        <translation>正在加载地图…</translation>
    </message>
</context>
<context>
    <name>MapLayers</name>
    <message>
        <source>Overdue</source>
        <translation>已超期</translation>
    </message>
    <message>
        <source>Due within 1 hour</source>
        <translation>1 小时内到期</translation>
    </message>
    <message>
        <source>On time</source>
        <translation>按期</translation>
    </message>
    <message>
        <source>No deadline running</source>
        <translation>未计时</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>预警</translation>
    </message>
    <message>
        <source>Alarm</source>
        <translation>报警</translation>
    </message>
    <message>
        <source>Silent (no data)</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>Invalid readings</source>
        <translation>读数无效</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Law enforcement</source>
        <translation>城管执法</translation>
    </message>
    <message>
        <source>Sanitation</source>
        <translation>环卫</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Drainage</source>
        <translation>排水</translation>
    </message>
    <message>
        <source>Parks and greenery</source>
        <translation>园林绿化</translation>
    </message>
    <message>
        <source>Street lighting</source>
        <translation>路灯</translation>
    </message>
    <message>
        <source>Bridges and tunnels</source>
        <translation>桥梁隧道</translation>
    </message>
    <message>
        <source>Traffic police</source>
        <translation>交警</translation>
    </message>
    <message>
        <source>Housing</source>
        <translation>住建</translation>
    </message>
    <message>
        <source>Water supply</source>
        <translation>供水</translation>
    </message>
    <message>
        <source>Gas</source>
        <translation>燃气</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>供电</translation>
    </message>
    <message>
        <source>Telecom</source>
        <translation>通信</translation>
    </message>
    <message>
        <source>Coordination</source>
        <translation>协调</translation>
    </message>
</context>
<context>
    <name>MapPage</name>
    <message>
        <source>Unit grids</source>
        <translation>单元网格</translation>
    </message>
    <message>
        <source>Streets (subdistricts)</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Unit areas</source>
        <translation>单位责任区</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Sensors</source>
        <translation>传感器</translation>
    </message>
    <message>
        <source>Base map (cached tiles)</source>
        <translation>底图（缓存瓦片）</translation>
    </message>
    <message>
        <source>Legend</source>
        <translation>图例</translation>
    </message>
    <message>
        <source>Case status (fill)</source>
        <translation>案件状态（填充色）</translation>
    </message>
    <message>
        <source>Time left (ring)</source>
        <translation>剩余时间（外圈）</translation>
    </message>
    <message>
        <source>Sensor state</source>
        <translation>传感器状态</translation>
    </message>
    <message>
        <source>Streets</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Grids</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Co-handling</source>
        <translation>协办单位</translation>
    </message>
    <message>
        <source>Click the map to pick the location (Esc cancels)</source>
        <translation>点击地图选择位置（Esc 取消）</translation>
    </message>
</context>
<context>
    <name>MapPick</name>
    <message>
        <source>outside the grids</source>
        <translation>网格之外</translation>
    </message>
</context>
<context>
    <name>MapSearch</name>
    <message>
        <source>Find a place: street, landmark, grid, address…</source>
        <translation>查找地点：道路、地标、网格、地址…</translation>
    </message>
    <message>
        <source>Chinese, pinyin or initials (e.g. hbdd for 湖滨大道); Enter flies there</source>
        <translation>可输入汉字、拼音或首字母（如 hbdd 查湖滨大道）；回车飞到该处</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>The case is closed as merged; its reporter is given the master&apos;s number. An unmerge brings it back.</source>
        <translation>本案件将作为重复件合并关闭，报告人将获得主案件编号；取消合并可恢复。</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>Looking for open cases nearby…</source>
        <translation>正在查找附近的未结案件…</translation>
    </message>
    <message>
        <source>{m:.0f} m</source>
        <translation>{m:.0f} 米</translation>
    </message>
    <message>
        <source>No open case of a related category within {m:g} m.</source>
        <translation>{m:g} 米内没有相关类别的未结案件。</translation>
    </message>
    <message>
        <source>Master case</source>
        <translation>主案件</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>The open cases could not be read: {error}</source>
        <translation>无法读取未结案件：{error}</translation>
    </message>
    <message>
        <source>Still looking for open cases nearby; a moment.</source>
        <translation>仍在查找附近的未结案件，请稍候。</translation>
    </message>
    <message>
        <source>Choose the master case.</source>
        <translation>请选择主案件。</translation>
    </message>
    <message>
        <source>Please write the reason.</source>
        <translation>请填写原因。</translation>
    </message>
</context>
<context>
    <name>MergedReportsPanel</name>
    <message>
        <source>Merged into &lt;a href=&quot;{id}&quot;&gt;{number}&lt;/a&gt; (its reporter was told this number).</source>
        <translation>已合并到 &lt;a href=&quot;{id}&quot;&gt;{number}&lt;/a&gt;（已告知反映人此编号）。</translation>
    </message>
    <message>
        <source>{n} repeat report(s) merged into this case. Double-click one to open it.</source>
        <translation>本案件合并了 {n} 条重复上报。双击可打开。</translation>
    </message>
    <message>
        <source>No repeat reports merged into this case.</source>
        <translation>本案件没有合并的重复上报。</translation>
    </message>
    <message>
        <source>no reporter</source>
        <translation>无反映人</translation>
    </message>
    <message>
        <source>called back: {result}</source>
        <translation>已回访：{result}</translation>
    </message>
    <message>
        <source>not reached</source>
        <translation>未联系上</translation>
    </message>
</context>
<context>
    <name>Metrics</name>
    <message>
        <source>Registered (立案数)</source>
        <translation>立案数</translation>
    </message>
    <message>
        <source>Dispatched (派遣数)</source>
        <translation>派遣数</translation>
    </message>
    <message>
        <source>Handled (处置数)</source>
        <translation>处置数</translation>
    </message>
    <message>
        <source>handling reports in the period (a case handled again after rework counts again)</source>
        <translation>本期处置反馈次数（返工后再次处置的案件再计一次）</translation>
    </message>
    <message>
        <source>Closed (结案数)</source>
        <translation>结案数</translation>
    </message>
    <message>
        <source>cases closed in the period</source>
        <translation>本期结案的案件数</translation>
    </message>
    <message>
        <source>On-time handling rate (按期处置率)</source>
        <translation>按期处置率</translation>
    </message>
    <message>
        <source>On-time closure rate (按期结案率)</source>
        <translation>按期结案率</translation>
    </message>
    <message>
        <source>Closure rate (结案率)</source>
        <translation>结案率</translation>
    </message>
    <message>
        <source>Timely resolution rate (问题及时解决率)</source>
        <translation>问题及时解决率</translation>
    </message>
    <message>
        <source>Rework rate (返工率)</source>
        <translation>返工率</translation>
    </message>
    <message>
        <source>Return rate (退单率)</source>
        <translation>退单率</translation>
    </message>
    <message>
        <source>cases registered in the period (charged to the case&apos;s responsible unit)</source>
        <translation>本期立案的案件（计入案件的责任单位）</translation>
    </message>
    <message>
        <source>dispatches in the period: first dispatches, re-dispatches after a return, owner decisions of a dispute and reassignments (charged to the receiving unit)</source>
        <translation>本期派遣次数：首次派遣、退单后再派遣、权属争议裁定和改派（计入接收单位）</translation>
    </message>
    <message>
        <source>handling tasks finished by the deadline and passed at the first verification ÷ handling tasks whose deadline fell in the period. A task is one dispatch to the unit; rework continues the same task against the same deadline (moved only by an approved extension or a suspension); a task ended by a return is not counted (a wrong dispatch is the dispatch post&apos;s)</source>
        <translation>按期处置且首次核查即通过的处置任务 ÷ 处置期限落在本期的处置任务。一次派遣为一项任务；返工延续同一任务、同一期限（仅经批准的延期或缓办可顺延）；以退单结束的任务不计（派遣错误属派遣岗）</translation>
    </message>
    <message>
        <source>verification rounds closed by the deadline ÷ verification rounds whose deadline fell in the period (the closing post&apos;s figure, city-wide only; a round ended by a failed verification is not counted)</source>
        <translation>按期结案的核查轮次 ÷ 期限落在本期的核查轮次（结案岗位的指标，仅全市统计；以核查不通过结束的轮次不计）</translation>
    </message>
    <message>
        <source>closed ÷ (due to be closed − suspended): of the cases registered in the period and not voided by its end, those closed by the end of the period ÷ all of them minus those still suspended (缓办/挂账) at the end of the period</source>
        <translation>结案数 ÷（应结案数 − 缓办数）：本期立案且期末未作废的案件中，期末前已结案的 ÷ 全部此类案件减去期末仍处于缓办/挂账的案件</translation>
    </message>
    <message>
        <source>cases closed in the period whose handling was never late and never failed verification ÷ (cases closed in the period + cases open at the end of the period whose handling is past its deadline or failed verification); the center&apos;s own delays (register, dispatch, verify, close) do not count here</source>
        <translation>本期结案且处置从未超期、从未核查不通过的案件 ÷（本期结案数 + 期末未结且处置已超期或核查不通过的案件数）；中心自身的延误（立案、派遣、核查、结案）不计入</translation>
    </message>
    <message>
        <source>failed verifications in the period ÷ handling reports in the period</source>
        <translation>本期核查不通过次数 ÷ 本期处置反馈次数</translation>
    </message>
    <message>
        <source>returns in the period ÷ dispatches in the period (a return is a wrong dispatch: also charged to the dispatch post)</source>
        <translation>本期退单次数 ÷ 本期派遣次数（退单即派遣错误：同时计入派遣岗）</translation>
    </message>
    <message>
        <source>Composite figure (综合指标值)</source>
        <translation>综合指标值</translation>
    </message>
    <message>
        <source>weighted sum of the rates with the weights shown (rework counts as 1 − rework rate); a rate that is n/a is left out and the other weights are rescaled to sum to 1</source>
        <translation>按所示权重对各比率加权求和（返工按 1 − 返工率计）；无值（n/a）的比率不计，其余权重按比例放大至合计为 1</translation>
    </message>
    <message>
        <source>Report → register</source>
        <translation>上报 → 立案</translation>
    </message>
    <message>
        <source>elapsed time from the report to registration, cases registered in the period</source>
        <translation>从上报到立案的历时，统计本期立案的案件</translation>
    </message>
    <message>
        <source>Register → dispatch</source>
        <translation>立案 → 派遣</translation>
    </message>
    <message>
        <source>elapsed time from registration (or the last return) to dispatch, dispatches in the period</source>
        <translation>从立案（或最近一次退单）到派遣的历时，统计本期的派遣</translation>
    </message>
    <message>
        <source>Dispatch → handled</source>
        <translation>派遣 → 处置完成</translation>
    </message>
    <message>
        <source>elapsed time from the dispatch (or the failed verification sending it back) to the handling report, handling reports in the period</source>
        <translation>从派遣（或核查不通过退回返工）到处置反馈的历时，统计本期的处置反馈</translation>
    </message>
    <message>
        <source>Report → close</source>
        <translation>上报 → 结案</translation>
    </message>
    <message>
        <source>elapsed time from the report to closure, cases closed in the period</source>
        <translation>从上报到结案的历时，统计本期结案的案件</translation>
    </message>
    <message>
        <source>Intake (受理)</source>
        <translation>受理（受理）</translation>
    </message>
    <message>
        <source>Dispatch (派遣)</source>
        <translation>派遣（派遣）</translation>
    </message>
    <message>
        <source>Inspectors (核查)</source>
        <translation>核查（核查）</translation>
    </message>
    <message>
        <source>Closing (结案, shift lead)</source>
        <translation>结案（结案，值班长）</translation>
    </message>
    <message>
        <source>Reports handled</source>
        <translation>受理报告数</translation>
    </message>
    <message>
        <source>reports registered or voided in the period</source>
        <translation>本期立案或作废的报告</translation>
    </message>
    <message>
        <source>Registered on time</source>
        <translation>按时立案</translation>
    </message>
    <message>
        <source>registration rounds finished (registered or voided) by the deadline ÷ registration rounds whose deadline fell in the period</source>
        <translation>按期完成（立案或作废）的受理轮次 ÷ 期限落在本期的受理轮次</translation>
    </message>
    <message>
        <source>Dispatches</source>
        <translation>派遣数</translation>
    </message>
    <message>
        <source>dispatches in the period (as &apos;Dispatched&apos;)</source>
        <translation>本期派遣次数（同“派遣数”）</translation>
    </message>
    <message>
        <source>Dispatched on time</source>
        <translation>按时派遣</translation>
    </message>
    <message>
        <source>dispatch rounds (after registration or after a return) finished by the deadline ÷ dispatch rounds whose deadline fell in the period</source>
        <translation>按期完成的派遣轮次（立案后或退单后）÷ 期限落在本期的派遣轮次</translation>
    </message>
    <message>
        <source>Wrong dispatches (returned)</source>
        <translation>派遣错误（退单）</translation>
    </message>
    <message>
        <source>returns in the period ÷ dispatches in the period</source>
        <translation>本期退单次数 ÷ 本期派遣次数</translation>
    </message>
    <message>
        <source>Verifications</source>
        <translation>核查数</translation>
    </message>
    <message>
        <source>verification verdicts (passed or failed) in the period</source>
        <translation>本期核查结论（通过或不通过）次数</translation>
    </message>
    <message>
        <source>Verified on time</source>
        <translation>按时核查</translation>
    </message>
    <message>
        <source>verification rounds with a verdict by the deadline ÷ verification rounds whose deadline fell in the period</source>
        <translation>按期给出核查结论的核查轮次 ÷ 期限落在本期的核查轮次</translation>
    </message>
    <message>
        <source>Rework found</source>
        <translation>发现返工</translation>
    </message>
    <message>
        <source>failed verifications in the period ÷ verdicts in the period</source>
        <translation>本期核查不通过次数 ÷ 本期核查结论次数</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>结案数</translation>
    </message>
    <message>
        <source>Closed on time</source>
        <translation>按时结案</translation>
    </message>
    <message>
        <source>as the on-time closure rate</source>
        <translation>同按期结案率</translation>
    </message>
    <message>
        <source>median and 90th percentile (p90), interpolated linearly between ranks</source>
        <translation>中位数与第 90 百分位数（p90），按相邻名次线性插值</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>无数据</translation>
    </message>
    <message>
        <source>The cache does not hold the whole period: the figures cover only the cases it holds.</source>
        <translation>本地缓存未覆盖整个统计期：数据仅包含缓存中的案件。</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} 分钟</translation>
    </message>
    <message>
        <source>{h} h {m:02d} min</source>
        <translation>{h} 小时 {m:02d} 分</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} 天 {h} 小时</translation>
    </message>
    <message>
        <source>median; p90 {p90}; n = {n}</source>
        <translation>中位数；p90 {p90}；样本 n = {n}</translation>
    </message>
    <message>
        <source>City-wide</source>
        <translation>全市</translation>
    </message>
    <message>
        <source>(with sub-units)</source>
        <translation>（含下级单位）</translation>
    </message>
    <message>
        <source>server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>console cache (offline)</source>
        <translation>本机缓存（离线）</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>统计期</translation>
    </message>
    <message>
        <source>Scope</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>Computed by</source>
        <translation>计算方</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Numerator</source>
        <translation>分子</translation>
    </message>
    <message>
        <source>Denominator</source>
        <translation>分母</translation>
    </message>
    <message>
        <source>p90</source>
        <translation>p90</translation>
    </message>
    <message>
        <source>Formula</source>
        <translation>计算公式</translation>
    </message>
    <message>
        <source>Post</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Ranking</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Peer group</source>
        <translation>同级组</translation>
    </message>
    <message>
        <source>Not ranked because</source>
        <translation>未排名原因</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Handling due</source>
        <translation>处置到期数</translation>
    </message>
    <message>
        <source>Handled on time</source>
        <translation>按期处置数</translation>
    </message>
    <message>
        <source>Cases per day</source>
        <translation>每日案件数</translation>
    </message>
    <message>
        <source>Per category (busiest on top)</source>
        <translation>按类别（案件最多的在上）</translation>
    </message>
    <message>
        <source>Ranked by {figure} within peer groups ({groups}); a unit needs at least {min} cases due (the figure&apos;s denominator) to be ranked</source>
        <translation>按 {figure} 在同级组内排名（{groups}）；单位须至少有 {min} 件应处置案件（该指标的分母）才参加排名</translation>
    </message>
    <message>
        <source>same level</source>
        <translation>同一层级</translation>
    </message>
    <message>
        <source>same level and same parent</source>
        <translation>同一层级且同一上级</translation>
    </message>
    <message>
        <source>Callback rate (回访率)</source>
        <translation>回访率</translation>
    </message>
    <message>
        <source>closures in the period due a callback whose every reporter was called back (an attempt recorded for each, reached or not) ÷ closures in the period due a callback (a case from the hotline, the citizen app or a walk-in with a phone number, or with such repeats merged into it)</source>
        <translation>本期应回访的结案中每位反映人都已回访（每人至少登记一次，无论是否联系上）的结案数 ÷ 本期应回访的结案数（来自热线、市民 App 或来访且留有电话的案件，或合并了此类重复上报的案件）</translation>
    </message>
    <message>
        <source>closures in the period whose reached reporters all said satisfied ÷ closures in the period where at least one reporter was reached (basically satisfied does not count as satisfied)</source>
        <translation>本期结案中已联系上的反映人全部表示满意的结案数 ÷ 本期至少联系上一位反映人的结案数（基本满意不计为满意）</translation>
    </message>
    <message>
        <source>Satisfaction rate (满意率)</source>
        <translation>满意率</translation>
    </message>
    <message>
        <source>On-site check (核实)</source>
        <translation>现场核实（核实）</translation>
    </message>
    <message>
        <source>elapsed time from sending a reported case to an inspector for an on-site check to the inspector&apos;s confirmation, checks confirmed in the period (part of the report → register time, the intake post&apos;s)</source>
        <translation>从将上报案件派发监督员现场核实到监督员反馈的用时，统计本期完成的核实（属于上报→立案用时，计入受理岗位）</translation>
    </message>
    <message>
        <source>On site within target (到场及时率)</source>
        <translation>到场及时率</translation>
    </message>
    <message>
        <source>trips to a case whose target fell in the period and that arrived by it ÷ trips whose target fell in the period; a trip starts with a dispatch (the unit&apos;s crew) or a verification or check sent (the inspector), its target is the start + the category&apos;s on-site minutes (15 by default); a trip ended before its target without an arrival is not counted</source>
        <translation>到场时限落在统计期内且按时到场的出动次数 ÷ 到场时限落在统计期内的出动次数；一次出动始于派遣（专业部门人员）或派发核查、核实（监督员），到场时限为出动时间加该类别的到场分钟数（默认 15 分钟）；在时限前结束且未到场的出动不计入</translation>
    </message>
    <message>
        <source>rejected ÷ (confirmed + rejected), detections an operator decided</source>
        <translation>驳回数 ÷（确认数 + 驳回数），仅计人工审核的识别</translation>
    </message>
</context>
<context>
    <name>NearestPanel</name>
    <message>
        <source>Nearest</source>
        <translation>最近人员</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>距离</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <source>New case — hotline call</source>
        <translation>新建案件 — 热线来电</translation>
    </message>
    <message>
        <source>Category *</source>
        <translation>类别 *</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Category default</source>
        <translation>按类别默认</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>What the caller reports, where exactly, since when…</source>
        <translation>来电人反映的问题、具体位置、发生时间…</translation>
    </message>
    <message>
        <source>Description *</source>
        <translation>问题描述 *</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Location *</source>
        <translation>位置 *</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Check and save</source>
        <translation>检查并保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>The address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>The caller&apos;s name</source>
        <translation>来电人姓名</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>The phone number</source>
        <translation>电话号码</translation>
    </message>
    <message>
        <source>(choose in the tree on the left)</source>
        <translation>（请在左侧列表中选择）</translation>
    </message>
    <message>
        <source>Category default ({priority})</source>
        <translation>按类别默认（{priority}）</translation>
    </message>
    <message>
        <source>Choose a category: search by code or name and select it in the tree.</source>
        <translation>请选择类别：按编码或名称搜索，并在列表中选中。</translation>
    </message>
    <message>
        <source>Describe the problem.</source>
        <translation>请描述问题。</translation>
    </message>
    <message>
        <source>Unknown grid code {code}.</source>
        <translation>未知的网格编码 {code}。</translation>
    </message>
    <message>
        <source>Latitude must be between -90 and 90 and longitude between -180 and 180.</source>
        <translation>纬度须在 -90 至 90 之间，经度须在 -180 至 180 之间。</translation>
    </message>
    <message>
        <source>Give the location: pick it on the map, type coordinates or a grid code.</source>
        <translation>请提供位置：在地图上选点、输入坐标或网格编码。</translation>
    </message>
    <message>
        <source>The location is outside the city: correct it or confirm that it is right.</source>
        <translation>位置在本市范围之外：请更正，或确认无误。</translation>
    </message>
    <message>
        <source>Another report ({source}, {time}){caller}: {description}</source>
        <translation>另一条上报（{source}，{time}）{caller}：{description}</translation>
    </message>
</context>
<context>
    <name>NotificationBanner</name>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭提示</translation>
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
    <name>OpenShiftDialog</name>
    <message>
        <source>Open a shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <source>The current shift (by the clock)</source>
        <translation>当前班次（按时间）</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>On duty (you lead it)</source>
        <translation>值班人员（您任值班长）</translation>
    </message>
</context>
<context>
    <name>OrderDecisionDialog</name>
    <message>
        <source>Order:</source>
        <translation>督办单：</translation>
    </message>
    <message>
        <source>Reply</source>
        <translation>回复</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Reply by {who}: {text}</source>
        <translation>{who} 的回复：{text}</translation>
    </message>
    <message>
        <source>Last rejected: {reason}</source>
        <translation>上次退回：{reason}</translation>
    </message>
    <message>
        <source>No order waits for this action.</source>
        <translation>没有等待此操作的督办单。</translation>
    </message>
    <message>
        <source>Please write the reply.</source>
        <translation>请填写回复。</translation>
    </message>
    <message>
        <source>Please write the reason.</source>
        <translation>请填写理由。</translation>
    </message>
</context>
<context>
    <name>PayloadDialog</name>
    <message>
        <source>{action} — case {number}</source>
        <translation>{action} — 案件 {number}</translation>
    </message>
    <message>
        <source>Case {number}: {description}</source>
        <translation>案件 {number}：{description}</translation>
    </message>
    <message>
        <source>Voiding ends the case: it will not be handled.</source>
        <translation>作废将终结案件：案件不会再被处置。</translation>
    </message>
    <message>
        <source>Closing ends the case; it counts in the closure figures.</source>
        <translation>结案将终结案件，并计入结案统计。</translation>
    </message>
    <message>
        <source>Returning sends the case back to the command centre for dispatch; a case returned twice becomes an ownership dispute for the shift lead to decide.</source>
        <translation>退单将案件退回指挥中心重新派遣；被退单两次的案件成为权属争议，由值班长裁定。</translation>
    </message>
    <message>
        <source>The case goes back to the unit for rework, against its original handling deadline; it counts against the unit&apos;s on-time handling.</source>
        <translation>案件退回单位返工，按原处置期限计算；计入该单位的按期处置率。</translation>
    </message>
    <message>
        <source>Reopening puts the closed case back in the dispatch queue; the reporter&apos;s dissatisfaction is recorded with it.</source>
        <translation>重启会将已结案件退回派遣队列，并记录反映人的不满意。</translation>
    </message>
    <message>
        <source>Escalation is recorded against the responsible unit.</source>
        <translation>督办将记入责任单位的考核。</translation>
    </message>
    <message>
        <source>Suspending stops the case&apos;s clock until it is resumed.</source>
        <translation>缓办将暂停案件计时，直至恢复。</translation>
    </message>
</context>
<context>
    <name>PerformanceDock</name>
    <message>
        <source>The end of the period is before its start.</source>
        <translation>统计期的结束日期早于开始日期。</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>The server refused the report: {message}</source>
        <translation>服务器拒绝了该报表请求：{message}</translation>
    </message>
    <message>
        <source>The report could not be computed: {error}</source>
        <translation>无法计算报表：{error}</translation>
    </message>
    <message>
        <source>Computed by the server at {time}.</source>
        <translation>由服务器于 {time} 计算。</translation>
    </message>
    <message>
        <source>Computed from this console&apos;s cache at {time} (offline): changes made on the server since the last sync are not included.</source>
        <translation>于 {time} 根据本机缓存计算（离线）：不含上次同步后服务器上的变动。</translation>
    </message>
    <message>
        <source>The server could not be reached.</source>
        <translation>无法连接服务器。</translation>
    </message>
    <message>
        <source>Export performance report</source>
        <translation>导出绩效报表</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Could not write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <source>Exported to {path}.</source>
        <translation>已导出到 {path}。</translation>
    </message>
    <message>
        <source>Performance</source>
        <translation>绩效考核</translation>
    </message>
    <message>
        <source>Performance figures are for shift leads and administrators.</source>
        <translation>绩效指标仅供值班长和管理员查看。</translation>
    </message>
</context>
<context>
    <name>PeriodBar</name>
    <message>
        <source>City-wide</source>
        <translation>全市</translation>
    </message>
    <message>
        <source>Every unit, and the cases not dispatched to any</source>
        <translation>全部单位，以及尚未派遣的案件</translation>
    </message>
    <message>
        <source>All jurisdictions</source>
        <translation>全部辖区</translation>
    </message>
    <message>
        <source>City {code}</source>
        <translation>市 {code}</translation>
    </message>
    <message>
        <source>District {code}</source>
        <translation>区 {code}</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>Custom period</source>
        <translation>自定义时段</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>统计期：</translation>
    </message>
    <message>
        <source>Unit:</source>
        <translation>单位：</translation>
    </message>
    <message>
        <source>Include sub-units</source>
        <translation>含下级单位</translation>
    </message>
    <message>
        <source>A unit&apos;s figures include those of every unit below it in the hierarchy</source>
        <translation>单位的指标包含其所有下级单位的数据</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
</context>
<context>
    <name>PhoneGuard</name>
    <message>
        <source>{field}: “{value}” is not a phone number ({low} to {high} digits; spaces, hyphens, dots, brackets and a leading + are allowed).</source>
        <translation>{field}：“{value}”不是电话号码（{low} 至 {high} 位数字；可含空格、连字符、点、括号和开头的 +）。</translation>
    </message>
</context>
<context>
    <name>PhotoDescribe</name>
    <message>
        <source>taken {time}</source>
        <translation>拍摄于 {time}</translation>
    </message>
    <message>
        <source>no EXIF time</source>
        <translation>无拍摄时间</translation>
    </message>
    <message>
        <source>at {place}</source>
        <translation>位置 {place}</translation>
    </message>
    <message>
        <source>no EXIF location</source>
        <translation>无拍摄位置</translation>
    </message>
    <message>
        <source>waiting to upload</source>
        <translation>等待上传</translation>
    </message>
</context>
<context>
    <name>PhotoReports</name>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Coordinates</source>
        <translation>坐标</translation>
    </message>
    <message>
        <source>Responsible unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Created / updated</source>
        <translation>创建 / 更新</translation>
    </message>
    <message>
        <source>Case report {number}</source>
        <translation>案件报告 {number}</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>处理环节</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>No photos.</source>
        <translation>无照片。</translation>
    </message>
    <message>
        <source>Photos: before and after</source>
        <translation>照片：处置前后</translation>
    </message>
</context>
<context>
    <name>PhotoSteps</name>
    <message>
        <source>Report</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>处置</translation>
    </message>
    <message>
        <source>Verification passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <source>Verification failed</source>
        <translation>核查不通过</translation>
    </message>
    <message>
        <source>Callback</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Detection frame</source>
        <translation>识别画面</translation>
    </message>
</context>
<context>
    <name>PhotoStrip</name>
    <message>
        <source>Cannot attach: {error}</source>
        <translation>无法添加：{error}</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>The step the photos you attach belong to</source>
        <translation>所添加照片所属的环节</translation>
    </message>
    <message>
        <source>Attach…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Attach photos, videos or PDFs from files</source>
        <translation>从文件添加照片、视频或 PDF</translation>
    </message>
    <message>
        <source>Before / after</source>
        <translation>处置前后对比</translation>
    </message>
    <message>
        <source>The report photo beside the handled photo (B in the viewer)</source>
        <translation>上报照片与处置照片并排对比（查看器中按 B）</translation>
    </message>
    <message>
        <source>Drop files here or paste a picture (Ctrl+V)</source>
        <translation>将文件拖到此处，或粘贴图片（Ctrl+V）</translation>
    </message>
    <message>
        <source>Case report (PDF)…</source>
        <translation>案件报告（PDF）…</translation>
    </message>
    <message>
        <source>The case with its steps and the thumbnails of its photos, as a PDF</source>
        <translation>导出包含各环节及照片缩略图的案件 PDF</translation>
    </message>
    <message>
        <source>Cannot read the photos: {error}</source>
        <translation>无法读取照片：{error}</translation>
    </message>
    <message>
        <source>{step} ({n})</source>
        <translation>{step}（{n}）</translation>
    </message>
    <message>
        <source>Photo {n}: {step}</source>
        <translation>照片 {n}：{step}</translation>
    </message>
    <message>
        <source>Export the case report</source>
        <translation>导出案件报告</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Cannot write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <source>Case report saved to {path}</source>
        <translation>案件报告已保存到 {path}</translation>
    </message>
    <message>
        <source>Attach to {step}</source>
        <translation>添加到“{step}”</translation>
    </message>
    <message>
        <source>Photos, videos and PDFs ({patterns})</source>
        <translation>照片、视频和 PDF（{patterns}）</translation>
    </message>
    <message>
        <source>{n} attached to {step}.</source>
        <translation>已添加 {n} 个文件到“{step}”。</translation>
    </message>
    <message>
        <source>{file} refused: {reason}</source>
        <translation>{file} 被拒绝：{reason}</translation>
    </message>
</context>
<context>
    <name>PhotoViewer</name>
    <message>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>◀ Previous</source>
        <translation>◀ 上一张</translation>
    </message>
    <message>
        <source>Previous photo (←, Page Up)</source>
        <translation>上一张照片（←、Page Up）</translation>
    </message>
    <message>
        <source>Next ▶</source>
        <translation>下一张 ▶</translation>
    </message>
    <message>
        <source>Next photo (→, Page Down)</source>
        <translation>下一张照片（→、Page Down）</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom in (+ or the wheel)</source>
        <translation>放大（+ 或滚轮）</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Zoom out (- or the wheel)</source>
        <translation>缩小（- 或滚轮）</translation>
    </message>
    <message>
        <source>⟲ Rotate</source>
        <translation>⟲ 左转</translation>
    </message>
    <message>
        <source>Rotate left (Shift+R)</source>
        <translation>向左旋转（Shift+R）</translation>
    </message>
    <message>
        <source>Rotate ⟳</source>
        <translation>右转 ⟳</translation>
    </message>
    <message>
        <source>Rotate right (R)</source>
        <translation>向右旋转（R）</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Fit to the window (F or 0)</source>
        <translation>适应窗口大小（F 或 0）</translation>
    </message>
    <message>
        <source>Before / after</source>
        <translation>处置前后对比</translation>
    </message>
    <message>
        <source>The report photo beside the handled photo (B)</source>
        <translation>上报照片与处置照片并排对比（B）</translation>
    </message>
    <message>
        <source>No photos</source>
        <translation>没有照片</translation>
    </message>
    <message>
        <source>{n} of {total}</source>
        <translation>第 {n} 张，共 {total} 张</translation>
    </message>
    <message>
        <source>Before: {step}</source>
        <translation>处置前：{step}</translation>
    </message>
    <message>
        <source>After: {step}</source>
        <translation>处置后：{step}</translation>
    </message>
    <message>
        <source>Cannot open the photo: {error}</source>
        <translation>无法打开照片：{error}</translation>
    </message>
    <message>
        <source>Not a picture the console can show (a video or a PDF): open it from the case&apos;s files.</source>
        <translation>控制台无法显示此文件（视频或 PDF）：请从案件文件中打开。</translation>
    </message>
</context>
<context>
    <name>Photos</name>
    <message>
        <source>Report</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Detection</source>
        <translation>发现</translation>
    </message>
    <message>
        <source>Handled</source>
        <translation>处置</translation>
    </message>
    <message>
        <source>Verification passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <source>Verification failed</source>
        <translation>核查未通过</translation>
    </message>
    <message>
        <source>Callback</source>
        <translation>回访</translation>
    </message>
    <message>
        <source>Waiting to upload</source>
        <translation>等待上传</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>上传中</translation>
    </message>
    <message>
        <source>On the server</source>
        <translation>已上传</translation>
    </message>
    <message>
        <source>Refused by the server</source>
        <translation>服务器拒收</translation>
    </message>
</context>
<context>
    <name>PostsModel</name>
    <message>
        <source>Post</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Numerator / denominator</source>
        <translation>分子 / 分母</translation>
    </message>
    <message>
        <source>Formula</source>
        <translation>公式</translation>
    </message>
</context>
<context>
    <name>PostsPanel</name>
    <message>
        <source>The center&apos;s posts are evaluated city-wide only: choose no unit.</source>
        <translation>中心各岗位只做全市统计：请不要选择单位。</translation>
    </message>
    <message>
        <source>Each post is evaluated on its own stages only; a unit&apos;s figures never include them.</source>
        <translation>各岗位只按其自身环节考核；单位的指标从不包含这些环节。</translation>
    </message>
</context>
<context>
    <name>RankingCaption</name>
    <message>
        <source>same level</source>
        <translation>同一层级</translation>
    </message>
    <message>
        <source>same level and same parent</source>
        <translation>同一层级且同一上级</translation>
    </message>
    <message>
        <source>Ranked by {figure}, among peers ({peers}); a unit with fewer than {n} cases due is listed but not ranked (the reason is in its row).</source>
        <translation>按{figure}在同级单位中排名（{peers}）；应处置案件少于 {n} 件的单位列出但不排名（原因见该行）。</translation>
    </message>
</context>
<context>
    <name>RankingModel</name>
    <message>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
</context>
<context>
    <name>Refusals</name>
    <message>
        <source>The case had moved on: this action no longer applies to it.</source>
        <translation>案件状态已变化，此操作已不适用。</translation>
    </message>
    <message>
        <source>The case was not ready for this action.</source>
        <translation>案件尚不满足此操作的条件。</translation>
    </message>
    <message>
        <source>Your role may not take this action.</source>
        <translation>您的角色无权执行此操作。</translation>
    </message>
    <message>
        <source>You are not allowed to do this.</source>
        <translation>您无权执行此操作。</translation>
    </message>
    <message>
        <source>The case is no longer in your unit&apos;s scope, so you may neither see nor change it.</source>
        <translation>该案件已不在您单位的范围内，您无法查看或修改。</translation>
    </message>
    <message>
        <source>The server has no such case.</source>
        <translation>服务器上没有该案件。</translation>
    </message>
    <message>
        <source>This case had already been reported.</source>
        <translation>该案件已上报过。</translation>
    </message>
    <message>
        <source>The case was already with that unit.</source>
        <translation>案件已在该单位。</translation>
    </message>
    <message>
        <source>The case to merge into does not exist or has ended.</source>
        <translation>要合并到的主案件不存在或已结束。</translation>
    </message>
    <message>
        <source>The server does not know that unit.</source>
        <translation>服务器不认识该单位。</translation>
    </message>
    <message>
        <source>The server does not know that category.</source>
        <translation>服务器不认识该类别。</translation>
    </message>
    <message>
        <source>The server does not know that grid.</source>
        <translation>服务器不认识该网格。</translation>
    </message>
    <message>
        <source>The object code does not fit the case&apos;s category.</source>
        <translation>部件编码与案件类别不符。</translation>
    </message>
    <message>
        <source>The case was already at the top of the unit hierarchy.</source>
        <translation>案件已在单位层级的最高级。</translation>
    </message>
    <message>
        <source>Some of the information sent was missing or invalid.</source>
        <translation>提交的信息有缺失或无效。</translation>
    </message>
    <message>
        <source>This category needs a photo with this step; attach one and send it again.</source>
        <translation>此类别的这一步需要照片；请附上照片后重新提交。</translation>
    </message>
    <message>
        <source>A photo this step names never reached the server (it was refused: see its reason); attach another and send it again.</source>
        <translation>此步骤引用的照片未能到达服务器（已被拒收，原因见说明）；请另附照片后重新提交。</translation>
    </message>
    <message>
        <source>The command was malformed.</source>
        <translation>命令格式错误。</translation>
    </message>
    <message>
        <source>The command&apos;s time could not be read.</source>
        <translation>无法读取命令的时间。</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is more than a day ahead of the server&apos;s; set the clock and issue the action again.</source>
        <translation>本机时钟比服务器快一天以上，请校准时钟后重新操作。</translation>
    </message>
    <message>
        <source>The same command had already been sent by another user.</source>
        <translation>该命令已由其他用户发送过。</translation>
    </message>
    <message>
        <source>The server failed on this command; it was not applied. Try again, or tell the administrator.</source>
        <translation>服务器处理此命令失败，未执行。请重试或联系管理员。</translation>
    </message>
    <message>
        <source>There was no reference data yet.</source>
        <translation>尚无基础数据。</translation>
    </message>
    <message>
        <source>The server refused the command.</source>
        <translation>服务器拒绝了该命令。</translation>
    </message>
    <message>
        <source>{who} dispatched {case} to {unit} at {time}</source>
        <translation>{who} 于 {time} 将 {case} 派遣给 {unit}</translation>
    </message>
    <message>
        <source>{who} reassigned {case} to {unit} at {time}</source>
        <translation>{who} 于 {time} 将 {case} 改派给 {unit}</translation>
    </message>
    <message>
        <source>{who} registered {case} at {time}</source>
        <translation>{who} 于 {time} 对 {case} 立案</translation>
    </message>
    <message>
        <source>{who} voided {case} at {time}</source>
        <translation>{who} 于 {time} 作废了 {case}</translation>
    </message>
    <message>
        <source>{who} accepted {case} at {time}</source>
        <translation>{who} 于 {time} 接收了 {case}</translation>
    </message>
    <message>
        <source>{who} returned {case} at {time}</source>
        <translation>{who} 于 {time} 退回了 {case}</translation>
    </message>
    <message>
        <source>{who} reported {case} handled at {time}</source>
        <translation>{who} 于 {time} 反馈 {case} 处置完成</translation>
    </message>
    <message>
        <source>{who} sent {case} to verification at {time}</source>
        <translation>{who} 于 {time} 将 {case} 派发核查</translation>
    </message>
    <message>
        <source>{who} passed the verification of {case} at {time}</source>
        <translation>{who} 于 {time} 通过了 {case} 的核查</translation>
    </message>
    <message>
        <source>{who} failed the verification of {case} at {time}</source>
        <translation>{who} 于 {time} 判定 {case} 核查不通过</translation>
    </message>
    <message>
        <source>{who} closed {case} at {time}</source>
        <translation>{who} 于 {time} 对 {case} 结案</translation>
    </message>
    <message>
        <source>{who} approved the extension of {case} at {time}</source>
        <translation>{who} 于 {time} 批准了 {case} 的延期</translation>
    </message>
    <message>
        <source>{who} denied the extension of {case} at {time}</source>
        <translation>{who} 于 {time} 驳回了 {case} 的延期</translation>
    </message>
    <message>
        <source>{who} suspended {case} at {time}</source>
        <translation>{who} 于 {time} 对 {case} 缓办</translation>
    </message>
    <message>
        <source>{who} resumed {case} at {time}</source>
        <translation>{who} 于 {time} 恢复了 {case}</translation>
    </message>
    <message>
        <source>{who} escalated {case} at {time}</source>
        <translation>{who} 于 {time} 对 {case} 督办升级</translation>
    </message>
    <message>
        <source>{who} took “{action}” on {case} at {time}</source>
        <translation>{who} 于 {time} 对 {case} 执行了“{action}”</translation>
    </message>
    <message>
        <source>{happened} while you were offline; {yours}.</source>
        <translation>您离线期间，{happened}；{yours}。</translation>
    </message>
    <message>
        <source>{happened} before your command arrived; {yours}.</source>
        <translation>在您的命令到达之前，{happened}；{yours}。</translation>
    </message>
    <message>
        <source>your {action} to {unit} was not applied</source>
        <translation>您派给 {unit} 的“{action}”未执行</translation>
    </message>
    <message>
        <source>your {action} was not applied</source>
        <translation>您的“{action}”未执行</translation>
    </message>
    <message>
        <source>Your {action} on {case} was not applied: {why}</source>
        <translation>您对 {case} 的“{action}”未执行：{why}</translation>
    </message>
    <message>
        <source>Already done: {happened}. Your {action} was not needed; nothing is lost.</source>
        <translation>已完成：{happened}。您的“{action}”无需再执行，没有丢失任何内容。</translation>
    </message>
    <message>
        <source>The case is now {status}, with {unit}.</source>
        <translation>案件当前状态：{status}，承办单位：{unit}。</translation>
    </message>
    <message>
        <source>The case is now {status}.</source>
        <translation>案件当前状态：{status}。</translation>
    </message>
    <message>
        <source>no unit</source>
        <translation>无单位</translation>
    </message>
    <message>
        <source>Reassign…</source>
        <translation>改派…</translation>
    </message>
    <message>
        <source>Apply again</source>
        <translation>重新执行</translation>
    </message>
    <message>
        <source>Add a note…</source>
        <translation>添加备注…</translation>
    </message>
    <message>
        <source>Open the case</source>
        <translation>打开案件</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>RemoveCoUnitDialog</name>
    <message>
        <source>Co-handling unit:</source>
        <translation>协办单位：</translation>
    </message>
</context>
<context>
    <name>ReplayDialog</name>
    <message>
        <source>Track of {device}</source>
        <translation>{device} 的轨迹</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>从：</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>至：</translation>
    </message>
    <message>
        <source>The track needs the server: this console is offline.</source>
        <translation>轨迹需要连接服务器：本终端当前离线。</translation>
    </message>
    <message>
        <source>Loading the track…</source>
        <translation>正在加载轨迹…</translation>
    </message>
    <message>
        <source>The server did not give the track: {error}</source>
        <translation>服务器未返回轨迹：{error}</translation>
    </message>
    <message>
        <source>No positions in this window.</source>
        <translation>该时段内没有位置记录。</translation>
    </message>
    <message>
        <source>{n} positions; {time}, {speed}</source>
        <translation>共 {n} 个位置；{time}，{speed}</translation>
    </message>
</context>
<context>
    <name>ReportPhotosField</name>
    <message>
        <source>Add photos…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <source>none yet: drop photos here or paste one (Ctrl+V)</source>
        <translation>暂无：将照片拖到此处或粘贴（Ctrl+V）</translation>
    </message>
    <message>
        <source>Use the photo&apos;s location ({place})</source>
        <translation>使用照片的拍摄位置（{place}）</translation>
    </message>
    <message>
        <source>Photos of the report</source>
        <translation>上报照片</translation>
    </message>
    <message>
        <source>Photos, videos and PDFs ({patterns})</source>
        <translation>照片、视频和 PDF（{patterns}）</translation>
    </message>
</context>
<context>
    <name>ReportTabs</name>
    <message>
        <source>Figures and formulas</source>
        <translation>指标与公式</translation>
    </message>
    <message>
        <source>Ranking of units</source>
        <translation>单位排名</translation>
    </message>
    <message>
        <source>Charts</source>
        <translation>图表</translation>
    </message>
    <message>
        <source>Center posts</source>
        <translation>中心岗位</translation>
    </message>
    <message>
        <source>Detections</source>
        <translation>智能识别</translation>
    </message>
</context>
<context>
    <name>SendCheckDialog</name>
    <message>
        <source>{inspector} — the grid&apos;s inspector</source>
        <translation>{inspector} — 本网格监督员</translation>
    </message>
    <message>
        <source>Inspector:</source>
        <translation>监督员：</translation>
    </message>
    <message>
        <source>Please choose the inspector.</source>
        <translation>请选择监督员。</translation>
    </message>
</context>
<context>
    <name>SendVerifyDialog</name>
    <message>
        <source>(any inspector on duty)</source>
        <translation>（任一在岗监督员）</translation>
    </message>
    <message>
        <source>Inspector:</source>
        <translation>监督员：</translation>
    </message>
    <message>
        <source>Nearest now:</source>
        <translation>当前最近：</translation>
    </message>
</context>
<context>
    <name>SensorDock</name>
    <message>
        <source>Water level</source>
        <translation>水位</translation>
    </message>
    <message>
        <source>Rainfall</source>
        <translation>雨量</translation>
    </message>
    <message>
        <source>Bridge displacement</source>
        <translation>桥梁位移</translation>
    </message>
    <message>
        <source>Settlement</source>
        <translation>沉降</translation>
    </message>
    <message>
        <source>Strain</source>
        <translation>应变</translation>
    </message>
    <message>
        <source>Tilt</source>
        <translation>倾斜</translation>
    </message>
    <message>
        <source>Combustible gas</source>
        <translation>可燃气体</translation>
    </message>
    <message>
        <source>Manhole cover</source>
        <translation>井盖</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>最近 1 小时</translation>
    </message>
    <message>
        <source>Last 6 hours</source>
        <translation>最近 6 小时</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation>最近 24 小时</translation>
    </message>
    <message>
        <source>Sensors</source>
        <translation>物联感知</translation>
    </message>
    <message>
        <source>Search sensors by name, id or grid</source>
        <translation>按名称、编号或网格搜索传感器</translation>
    </message>
    <message>
        <source>Follow live</source>
        <translation>实时跟随</translation>
    </message>
    <message>
        <source>Keep the newest reading in view; panning a plot turns this off</source>
        <translation>始终显示最新读数；拖动曲线会关闭此项</translation>
    </message>
    <message numerus="yes">
        <source>Tick up to %n sensor(s) in the list to plot them.</source>
        <translation>
            <numerusform>在列表中最多勾选 %n 个传感器以绘制曲线。</numerusform>
        </translation>
    </message>
    <message>
        <source>Loading sensor states…</source>
        <translation>正在读取传感器状态…</translation>
    </message>
</context>
<context>
    <name>SensorHub</name>
    <message>
        <source>Loading readings from the server…</source>
        <translation>正在从服务器读取监测数据…</translation>
    </message>
    <message>
        <source>Offline: showing the readings this console has; older history needs the server.</source>
        <translation>离线：显示本终端已有的读数；更早的历史数据需要连接服务器。</translation>
    </message>
    <message>
        <source>The server did not give the history: {error}</source>
        <translation>服务器未返回历史数据：{error}</translation>
    </message>
</context>
<context>
    <name>SensorPlot</name>
    <message>
        <source>Alarm high</source>
        <translation>报警上限</translation>
    </message>
    <message>
        <source>Warning high</source>
        <translation>预警上限</translation>
    </message>
    <message>
        <source>Warning low</source>
        <translation>预警下限</translation>
    </message>
    <message>
        <source>Alarm low</source>
        <translation>报警下限</translation>
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
    <name>ShiftTimelinePanel</name>
    <message>
        <source>Operator</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>{shown} of {total} events</source>
        <translation>显示 {shown} / 共 {total} 条事件</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Case queue</source>
        <translation>案件列表</translation>
    </message>
    <message>
        <source>Make the previous / next case the current case</source>
        <translation>选中上一个 / 下一个案件</translation>
    </message>
    <message>
        <source>Open the highlighted case</source>
        <translation>打开高亮的案件</translation>
    </message>
    <message>
        <source>Dialogs</source>
        <translation>对话框</translation>
    </message>
    <message>
        <source>Submit a dialog with a multi-line field</source>
        <translation>提交含多行输入框的对话框</translation>
    </message>
    <message>
        <source>Cancel the dialog</source>
        <translation>取消对话框</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Case actions act on the current case: the one highlighted in the queue and shown in the case detail.</source>
        <translation>案件操作作用于当前案件：即案件列表中高亮、并在案件详情中显示的那一个。</translation>
    </message>
    <message>
        <source>Filter…</source>
        <translation>筛选…</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
</context>
<context>
    <name>SignDialog</name>
    <message>
        <source>Sign the handover</source>
        <translation>签收交接班</translation>
    </message>
    <message>
        <source>{who} signs this version of the handover report (content hash {hash}…). Once the server has it, the report can no longer change.</source>
        <translation>{who} 签收此版本的交接班报告（内容哈希 {hash}…）。服务器收到后，报告将不能再修改。</translation>
    </message>
    <message>
        <source>Your password</source>
        <translation>您的密码</translation>
    </message>
    <message>
        <source>Remarks of the incoming lead</source>
        <translation>接班值班长意见</translation>
    </message>
    <message>
        <source>Start my shift now</source>
        <translation>立即开始我的班次</translation>
    </message>
    <message>
        <source>Starting a shift needs the server</source>
        <translation>开始班次需要连接服务器</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签收</translation>
    </message>
    <message>
        <source>Type your password to sign.</source>
        <translation>请输入密码以签收。</translation>
    </message>
    <message>
        <source>That is not your password; the handover is not signed.</source>
        <translation>密码不正确，交接班未签收。</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Starting the demo server and preparing the demo city…</source>
        <translation>正在启动演示服务器并准备演示城市…</translation>
    </message>
    <message>
        <source>Logging in as {user} at {server}…</source>
        <translation>正在以 {user} 身份登录 {server}…</translation>
    </message>
    <message>
        <source>Building the console: map, case queue, sensors…</source>
        <translation>正在构建终端：地图、案件列表、传感器…</translation>
    </message>
</context>
<context>
    <name>StepPhotos</name>
    <message>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
</context>
<context>
    <name>StepPhotosField</name>
    <message>
        <source>Add photo…</source>
        <translation>添加照片…</translation>
    </message>
    <message>
        <source>{n} photo(s) of {step}; drop or paste (Ctrl+V) more</source>
        <translation>“{step}”已有 {n} 张照片；可继续拖入或粘贴（Ctrl+V）</translation>
    </message>
    <message>
        <source>This category needs a photo of this step: add one, drop it here or paste it (Ctrl+V).</source>
        <translation>此类别要求本环节提供照片：请添加、拖入或粘贴（Ctrl+V）。</translation>
    </message>
    <message>
        <source>No photo yet (optional): add one, drop it here or paste it (Ctrl+V).</source>
        <translation>暂无照片（可选）：可添加、拖入或粘贴（Ctrl+V）。</translation>
    </message>
    <message>
        <source>The photos are still being added: a moment, please.</source>
        <translation>照片仍在添加中，请稍候。</translation>
    </message>
    <message>
        <source>{step}: this category needs a photo before it can be sent. Add one.</source>
        <translation>{step}：此类别须附照片才能提交，请添加。</translation>
    </message>
    <message>
        <source>Photos of {step}</source>
        <translation>“{step}”的照片</translation>
    </message>
    <message>
        <source>Photos, videos and PDFs ({patterns})</source>
        <translation>照片、视频和 PDF（{patterns}）</translation>
    </message>
</context>
<context>
    <name>SupervisionDock</name>
    <message>
        <source>Case</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>督办单</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Waiting for</source>
        <translation>等待</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Supervision orders</source>
        <translation>督办</translation>
    </message>
    <message>
        <source>Reply…</source>
        <translation>回复…</translation>
    </message>
    <message>
        <source>Accept reply…</source>
        <translation>认可回复…</translation>
    </message>
    <message>
        <source>Reject reply…</source>
        <translation>退回回复…</translation>
    </message>
    <message>
        <source>{time} OVERDUE</source>
        <translation>{time} 已超期</translation>
    </message>
    <message>
        <source>the unit&apos;s reply</source>
        <translation>单位回复</translation>
    </message>
    <message>
        <source>the lead&apos;s decision</source>
        <translation>值班长审核</translation>
    </message>
    <message>
        <source>{text}
Reply: {reply}</source>
        <translation>{text}
回复：{reply}</translation>
    </message>
    <message>
        <source>{open} order(s) wait for a unit&apos;s reply, {replied} for the lead&apos;s decision.</source>
        <translation>{open} 张督办单等待单位回复，{replied} 张等待值班长审核。</translation>
    </message>
    <message>
        <source>{n} order(s) overdue: past the deadline without a reply.</source>
        <translation>{n} 张督办单已超期：超过时限仍未回复。</translation>
    </message>
</context>
<context>
    <name>SuspendDialog</name>
    <message>
        <source>Resume at</source>
        <translation>恢复时间</translation>
    </message>
    <message>
        <source>In city time. The lead&apos;s work queue lists the case from then; a lead resumes it.</source>
        <translation>按城市时间。到时该案件会列入值班长待办，由值班长恢复。</translation>
    </message>
    <message>
        <source>The resume time must lie ahead.</source>
        <translation>恢复时间必须晚于现在。</translation>
    </message>
</context>
<context>
    <name>TextDialog</name>
    <message>
        <source>Common reasons…</source>
        <translation>常用原因…</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>What was done</source>
        <translation>处置情况</translation>
    </message>
    <message>
        <source>Please write the reason.</source>
        <translation>请填写原因。</translation>
    </message>
    <message>
        <source>Please write a note.</source>
        <translation>请填写备注。</translation>
    </message>
</context>
<context>
    <name>Times</name>
    <message>
        <source>Times in {zone} ({offset})</source>
        <translation>时间均为 {zone}（{offset}）</translation>
    </message>
    <message>
        <source>Times in this computer&apos;s zone ({offset})</source>
        <translation>时间为本机时区（{offset}）</translation>
    </message>
    <message>
        <source>{n} d</source>
        <translation>{n} 天</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} 小时</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
</context>
<context>
    <name>UnitPicker</name>
    <message>
        <source>Search units by name or id…</source>
        <translation>按名称或编号搜索单位…</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
</context>
<context>
    <name>UrgentCaseNotifier</name>
    <message>
        <source>New urgent case {case}</source>
        <translation>新的紧急案件 {case}</translation>
    </message>
    <message>
        <source>{n} new urgent cases; latest: {case}</source>
        <translation>{n} 件新的紧急案件；最新：{case}</translation>
    </message>
</context>
<context>
    <name>ViewMenuButton</name>
    <message>
        <source>Views ▾</source>
        <translation>视图 ▾</translation>
    </message>
    <message>
        <source>Every view of the queue, also those the tab bar has no room for</source>
        <translation>队列的所有视图，包括标签栏放不下的</translation>
    </message>
</context>
<context>
    <name>WallWindow</name>
    <message>
        <source>OneGrid wall</source>
        <translation>OneGrid 大屏</translation>
    </message>
    <message>
        <source>City operations: live</source>
        <translation>城市运行实时态势</translation>
    </message>
    <message>
        <source>EMERGENCY MODE: {reason}</source>
        <translation>应急状态：{reason}</translation>
    </message>
    <message>
        <source>Today&apos;s cases</source>
        <translation>今日案件</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>暂无</translation>
    </message>
    <message>
        <source>not dispatched</source>
        <translation>未派遣</translation>
    </message>
    <message>
        <source>{unit}: {open} open, {overdue} overdue</source>
        <translation>{unit}：在办 {open}，超期 {overdue}</translation>
    </message>
    <message>
        <source>Open and overdue by unit</source>
        <translation>各单位在办与超期</translation>
    </message>
    <message>
        <source>{open} open · {overdue} overdue</source>
        <translation>在办 {open} · 超期 {overdue}</translation>
    </message>
    <message>
        <source>On time now</source>
        <translation>当前按时率</translation>
    </message>
    <message>
        <source>{n} of {d} open cases within their deadline</source>
        <translation>{d} 件在办案件中 {n} 件未超期</translation>
    </message>
    <message>
        <source>Active alarms</source>
        <translation>活动报警</translation>
    </message>
    <message>
        <source>{n} at alarm level</source>
        <translation>其中报警级 {n} 件</translation>
    </message>
    <message>
        <source>Vehicles and staff live</source>
        <translation>在线车辆与人员</translation>
    </message>
    <message>
        <source>reported in the last 5 minutes</source>
        <translation>最近 5 分钟内有上报</translation>
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
