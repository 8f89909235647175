// Every word the kiosk shows, in Chinese (first) and English, and the
// formatting of wages, distances, dates and statuses.  Nothing the server
// sends is shown raw except names, titles, addresses and the reasons the
// matching core wrote in the language asked for.

const zh = {
  app_name: '乐业 · 找工作',
  lang_switch: 'English',
  speak: '读给我听',
  large_text: '字大一点',
  normal_text: '字小一点',
  logout: '退出',
  nav_jobs: '找工作',
  nav_apps: '我的报名',
  nav_me: '我的信息',
  back: '返回',
  loading: '正在加载…',
  retrying: '暂时连不上服务器，正在自动重试…请稍等',
  retry_now: '马上重试',
  trouble: '出了点问题，没有办成。请再试一次，或到服务台求助。',
  session_over: '已经退出了。请重新登录。',
  logged_out: '已退出。欢迎下次再来！',
  idle_title: '还在使用吗？',
  idle_text: (s) => `${s} 秒后自动退出，保护你的信息`,
  idle_continue: '继续使用',
  // login
  welcome: '欢迎！用身份证号码和密码登录',
  id_prompt: '请输入身份证号码（18位）',
  id_hint: '最后一位是 X 的，请按 X 键',
  id_bad: '身份证号码不对，请检查后重新输入',
  pin_prompt: '请输入 6 位密码',
  pin_hint: '密码由服务台工作人员帮你设置',
  next: '下一步',
  login: '登录',
  clear: '清空',
  delete: '删除',
  pin_wrong: '身份证号码或密码不对。',
  pin_left: (n) => `还可以再试 ${n} 次。`,
  pin_locked: '密码已锁定。请到服务台重置密码。',
  too_many: '试的次数太多了，请过一会儿再试。',
  // jobs
  jobs_title: '适合你的工作',
  jobs_hint: '最合适你的排在前面',
  filter_kind: '做什么工作',
  filter_dist: '离家多远',
  all: '全部',
  any_distance: '不限',
  within_km: (n) => `${n} 公里以内`,
  no_jobs: '没有找到合适的工作。换一种工作或远一点再看看。',
  more_jobs: '看更多工作',
  details: '看详情',
  km: (n) => `${n} 公里`,
  km_unit: '公里',
  under_1km: '不到 1 公里',
  away: '离你住的地方',
  km_from_home: (n) => `离你住的地方 ${n}`,
  accommodation_yes: '单位包住',
  accommodation_no: '单位不包住',
  transport_yes: '单位有车接送',
  match: '合不合适',
  fit: { 5: '很合适', 4: '比较合适', 3: '还可以', 2: '一般', 1: '不太合适' },
  points: (n) => `${n} 分`,
  why: '为什么推荐给你',
  places_left: (n) => `还招 ${n} 人`,
  start_date: '开工日期',
  started_on: (d) => `已经开工了（${d} 开工）`,
  starts_on: (d) => `${d} 开工`,
  contact_phone: '联系电话',
  employer: '单位',
  place: '上班地点',
  place_here: (p) => `上班地点：${p}`,
  place_away: (p) => `去外地上班：${p}`,
  wage: '工资',
  apply: '我要报名',
  applied_already: '你已经报名了这个工作',
  // apply
  confirm_title: '确定要报名这个工作吗？',
  confirm_yes: '确定报名',
  confirm_no: '不报了',
  applied_title: '报名成功！',
  applied_text: '单位会联系你。可以打印回执带在身上。',
  print_slip: '打印回执',
  see_apps: '看我的报名',
  err_duplicate: '你已经报名了这个工作，不用再报。',
  err_full: '这个工作已经招满了。',
  err_not_open: '这个工作已经不招人了。',
  err_not_seeking: '你的状态是“暂不找工作”，请到服务台修改后再报名。',
  // applications
  apps_title: '我的报名',
  no_apps: '你还没有报名。',
  applied_on: '报名日期',
  withdrawn_folded: (n) => `已撤回的报名（${n} 个）`,
  withdraw: '撤回报名',
  withdraw_confirm: '确定要撤回这个报名吗？',
  withdraw_yes: '确定撤回',
  withdraw_no: '不撤回',
  withdrawn_done: '已经撤回了。',
  // slip
  slip_title: '报名回执',
  slip_no: '回执编号',
  slip_date: '打印日期',
  slip_job: '工作',
  slip_office: '单位地址',
  slip_workplace: '上班地点',
  name: '姓名',
  id_number: '身份证号',
  phone: '手机号',
  contact: '联系人',
  address: '地址',
  bring: '请带上',
  ask_at: '有问题请到',
  print: '打印',
  // profile
  me_title: '我的信息',
  site: '安置点',
  county: '县（市、区）',
  status: '就业状态',
  skills: '技能',
  certificates: '证书',
  no_items: '没有',
  expired: '已过期',
  prefs: '我想找的工作',
  prefs_edit: '修改',
  prefs_title: '我想找什么样的工作',
  prefs_saved: '改好了。',
  save: '保存',
  cancel: '不改了',
  quiet: '这段时间不要给我发消息',
  quiet_none: '随时都可以',
  quiet_range: (r) => `${r[0]} 到 ${r[1]}`,
  quiet_from: '从',
  quiet_to: '到',
  less: '少一点',
  more: '多一点',
  any_kind: '什么工作都行',
  max_commute: '每天上班最远走多远',
  wage_floor: '每月最少要多少工资',
  outside_county: '愿意到县外上班',
  outside_province: '愿意去外省打工',
  needs_accommodation: '需要单位包住',
  kinds_wanted: '你想做的工作',
  yes: '是',
  no: '否',
  current_job: '现在的工作',
  change_info: '信息不对或想修改？',
  change_where: (desk) => `请到 ${desk}，找工作人员帮你修改。`,
  kinds: {
    regular: '一般工作', work_relief: '家门口工程', public_welfare: '村里公益活',
    forest_ranger: '护林员', workshop: '家门口工厂', labor_export: '外出打工',
  },
  periods: { month: '元/月', day: '元/天', hour: '元/小时', piece: '元/件' },
  statuses: {
    applied: '已报名，等待单位回复', shortlisted: '单位已初选', offered: '单位愿意录用',
    hired: '已录用', rejected: '这次没有录用', withdrawn: '已撤回',
  },
  employment: {
    seeking: '正在找工作', employed_local: '在本地工作', employed_outside_county: '在县外工作',
    employed_outside_province: '在省外工作', in_training: '正在参加培训', not_seeking: '暂不找工作',
  },
  levels: { 1: '初级工', 2: '中级工', 3: '高级工', 4: '技师', 5: '高级技师' },
};

const en = {
  app_name: 'Leye · Find work',
  lang_switch: '中文',
  speak: 'Read aloud',
  large_text: 'Bigger text',
  normal_text: 'Smaller text',
  logout: 'Log out',
  nav_jobs: 'Jobs',
  nav_apps: 'My applications',
  nav_me: 'My details',
  back: 'Back',
  loading: 'Loading…',
  retrying: 'Cannot reach the server just now. Trying again by itself… please wait',
  retry_now: 'Try now',
  trouble: 'Something went wrong and it was not done. Please try again, or ask at the service desk.',
  session_over: 'You have been logged out. Please log in again.',
  logged_out: 'Logged out. See you next time!',
  idle_title: 'Are you still there?',
  idle_text: (s) => `Logging out in ${s} seconds to keep your details safe`,
  idle_continue: 'Keep going',
  welcome: 'Welcome! Log in with your ID number and PIN',
  id_prompt: 'Enter your ID card number (18 characters)',
  id_hint: 'If it ends in X, press the X key',
  id_bad: 'That ID number is not right. Please check it and enter it again',
  pin_prompt: 'Enter your 6-digit PIN',
  pin_hint: 'Staff at the service desk set your PIN',
  next: 'Next',
  login: 'Log in',
  clear: 'Clear',
  delete: 'Delete',
  pin_wrong: 'The ID number or PIN is wrong.',
  pin_left: (n) => `You can try ${n} more time${n === 1 ? '' : 's'}.`,
  pin_locked: 'Your PIN is locked. Please see the service desk to reset it.',
  too_many: 'Too many tries. Please wait a little and try again.',
  jobs_title: 'Jobs that suit you',
  jobs_hint: 'Best first',
  filter_kind: 'Kind of job',
  filter_dist: 'Distance',
  all: 'All',
  any_distance: 'Any',
  within_km: (n) => `Within ${n} km`,
  no_jobs: 'No suitable jobs found. Try another kind or distance.',
  more_jobs: 'Show more jobs',
  details: 'Details',
  km: (n) => `${n} km`,
  km_unit: 'km',
  under_1km: 'less than 1 km',
  away: 'From your home',
  km_from_home: (n) => `${n} from your home`,
  accommodation_yes: 'Housing provided',
  accommodation_no: 'No housing',
  transport_yes: 'Work bus provided',
  match: 'How well it fits',
  fit: { 5: 'Very good fit', 4: 'Good fit', 3: 'Fair fit', 2: 'So-so', 1: 'Poor fit' },
  points: (n) => `${n} points`,
  why: 'Why we suggest it',
  places_left: (n) => `${n} place${n === 1 ? '' : 's'} left`,
  start_date: 'Starts',
  started_on: (d) => `Already started (on ${d})`,
  starts_on: (d) => `Starts on ${d}`,
  contact_phone: 'Phone',
  employer: 'Employer',
  place: 'Workplace',
  place_here: (p) => `Work at: ${p}`,
  place_away: (p) => `Work away from home: ${p}`,
  wage: 'Pay',
  apply: 'Apply for this job',
  applied_already: 'You have applied for this job',
  confirm_title: 'Do you want to apply for this job?',
  confirm_yes: 'Yes, apply',
  confirm_no: 'No',
  applied_title: 'You have applied!',
  applied_text: 'The employer will contact you. You can print a slip to take with you.',
  print_slip: 'Print slip',
  see_apps: 'My applications',
  err_duplicate: 'You have already applied for this job.',
  err_full: 'This job has been filled.',
  err_not_open: 'This job is no longer taking people.',
  err_not_seeking: 'You are marked as not looking for work. Please see the service desk first.',
  apps_title: 'My applications',
  no_apps: 'You have not applied for any job yet.',
  applied_on: 'Applied on',
  withdrawn_folded: (n) => `Withdrawn applications (${n})`,
  withdraw: 'Withdraw',
  withdraw_confirm: 'Do you want to withdraw this application?',
  withdraw_yes: 'Yes, withdraw',
  withdraw_no: 'No',
  withdrawn_done: 'Withdrawn.',
  slip_title: 'Application slip',
  slip_no: 'Slip number',
  slip_date: 'Printed on',
  slip_job: 'Job',
  slip_office: 'Employer\'s address',
  slip_workplace: 'Workplace',
  name: 'Name',
  id_number: 'ID number',
  phone: 'Mobile',
  contact: 'Contact',
  address: 'Address',
  bring: 'Please bring',
  ask_at: 'Questions? Go to',
  print: 'Print',
  me_title: 'My details',
  site: 'Resettlement site',
  county: 'County',
  status: 'Work status',
  skills: 'Skills',
  certificates: 'Certificates',
  no_items: 'None',
  expired: 'expired',
  prefs: 'What work I want',
  prefs_edit: 'Change',
  prefs_title: 'What work do you want?',
  prefs_saved: 'Saved.',
  save: 'Save',
  cancel: 'Do not change',
  quiet: 'Do not send me messages',
  quiet_none: 'Any time is fine',
  quiet_range: (r) => `${r[0]} to ${r[1]}`,
  quiet_from: 'From',
  quiet_to: 'To',
  less: 'Less',
  more: 'More',
  any_kind: 'Any work',
  max_commute: 'Furthest to travel each day',
  wage_floor: 'Lowest pay a month',
  outside_county: 'Will work outside the county',
  outside_province: 'Will work outside the province',
  needs_accommodation: 'Needs housing',
  kinds_wanted: 'Work you want',
  yes: 'Yes',
  no: 'No',
  current_job: 'Current job',
  change_info: 'Something wrong, or want to change it?',
  change_where: (desk) => `Please go to ${desk}: staff there will change it for you.`,
  kinds: {
    regular: 'Ordinary job', work_relief: 'Building work near home', public_welfare: 'Village service work',
    forest_ranger: 'Forest ranger', workshop: 'Factory near home', labor_export: 'Work away from home',
  },
  periods: { month: 'yuan / month', day: 'yuan / day', hour: 'yuan / hour', piece: 'yuan / piece' },
  statuses: {
    applied: 'Applied, waiting for the employer', shortlisted: 'Shortlisted', offered: 'Offered a job',
    hired: 'Hired', rejected: 'Not chosen this time', withdrawn: 'Withdrawn',
  },
  employment: {
    seeking: 'Looking for work', employed_local: 'Working locally', employed_outside_county: 'Working outside the county',
    employed_outside_province: 'Working outside the province', in_training: 'In training', not_seeking: 'Not looking for work',
  },
  levels: { 1: 'Entry level', 2: 'Intermediate', 3: 'Advanced', 4: 'Technician', 5: 'Senior technician' },
};

const dicts = { zh, en };
let lang = 'zh';

export const KINDS = ['work_relief', 'public_welfare', 'forest_ranger', 'workshop', 'labor_export', 'regular'];
export const KIND_ICONS = {
  regular: 'briefcase', work_relief: 'shovel', public_welfare: 'hands', forest_ranger: 'tree',
  workshop: 'factory', labor_export: 'train',
};

export function setLang(l) { lang = l === 'en' ? 'en' : 'zh'; }
export function getLang() { return lang; }

// t('key') or t('key', arg) for the strings that take a number or a name.
export function t(key, arg) {
  const v = dicts[lang][key] ?? zh[key] ?? key;
  return typeof v === 'function' ? v(arg) : v;
}

export function kindName(kind) { return dicts[lang].kinds[kind] || kind; }
export function statusName(s) { return dicts[lang].statuses[s] || s; }
export function employmentName(s) { return dicts[lang].employment[s] || s; }
export function levelName(n) { return dicts[lang].levels[n] || String(n); }
export function periodName(p) { return dicts[lang].periods[p] || ''; }

// "1800–3200" (or one figure when both ends agree).
export function wageFigure(min, max) {
  const f = (n) => Number(n).toLocaleString(lang === 'en' ? 'en-US' : 'zh-CN');
  return min === max || max == null ? f(min) : `${f(min)}–${f(max)}`;
}

export function distanceText(km) {
  if (km == null) return '';
  if (km < 1) return t('under_1km');
  const n = km < 10 ? Math.round(km * 10) / 10 : Math.round(km);
  return t('km', n);
}

// A date or timestamp as YYYY-MM-DD (Beijing time for timestamps).
export function dateText(s) {
  if (!s) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return '';
  const b = new Date(d.getTime() + 8 * 3600 * 1000);
  return b.toISOString().slice(0, 10);
}

// A reason in plain words, made here from its code and what the kiosk knows
// (the job, the seeker's own wishes), so that the reasons use the same words
// as the rest of the screens; null: show the server's own text.
export function plainReason(code, v, km, prefs) {
  const zhl = lang !== 'en';
  const n = (x) => Number(x).toLocaleString(zhl ? 'zh-CN' : 'en-US');
  const floor = prefs && prefs.wage_floor ? Number(prefs.wage_floor) : 0;
  const far = distanceText(km);
  const away = v.kind === 'labor_export';
  switch (code) {
    case 'dist_near': return km == null ? null : t('km_from_home', far);
    case 'dist_far': if (km == null) return null;
      if (!prefs) return zhl ? `离你住的地方 ${far}，比你说的能去的地方还远` : `${far} from your home, further than you said you would go`;
      return zhl ? `离你住的地方 ${far}，比你说的最远 ${prefs.max_commute_km} 公里还远`
        : `${far} from your home, further than the ${prefs.max_commute_km} km you said`;
    case 'dist_transport': return km == null ? null : zhl ? `离你住的地方 ${far}，单位有车接送` : `${far} from your home; the employer's bus takes you`;
    case 'dist_accommodation': return km == null ? null : zhl ? `离你住的地方 ${far}，单位包住` : `${far} from your home; housing provided`;
    case 'needs_accommodation': return zhl ? '你需要单位包住，这个工作不包住' : 'You need housing; this job has none';
    case 'export_willing': return zhl ? (away ? '你愿意去外省打工' : '你愿意到县外上班') : (away ? 'You will work in another province' : 'You will work outside the county');
    case 'export_unwilling': return zhl ? (away ? '你说过不去外省打工' : '你说过不到县外上班') : (away ? 'You said you would not work in another province' : 'You said you would not work outside the county');
    case 'wage_ok': if (!floor) return zhl ? `工资 ${n(v.wage_min)} 元起，够你想要的` : `Pay from ${n(v.wage_min)} yuan: enough for what you want`;
      return (zhl ? `工资 ${n(v.wage_min)} 元，比你想要的多 ${n(v.wage_min - floor)} 元` : `Pay ${n(v.wage_min)} yuan, ${n(v.wage_min - floor)} more than you want`).replace(/多 0 元|0 more than/, zhl ? '正好是你想要的' : 'just what');
    case 'wage_maybe': return zhl ? `工资 ${n(v.wage_min)}–${n(v.wage_max)} 元，有可能达到你想要的 ${n(floor)} 元` : `Pay ${n(v.wage_min)}–${n(v.wage_max)} yuan: may reach the ${n(floor)} you want`;
    case 'wage_low': return zhl ? `比你想要的工资低 ${n(floor - v.wage_max)} 元` : `${n(floor - v.wage_max)} yuan less than the pay you want`;
    case 'wage_piece': return zhl ? '按件算工资，做得多拿得多' : 'Paid by the piece: more work, more pay';
    case 'kind_wanted': return zhl ? `是你想做的工作：${kindName(v.kind)}` : `Work you want: ${kindName(v.kind)}`;
    case 'kind_unwanted': return zhl ? `不是你说想做的工作（${kindName(v.kind)}）` : `Not the work you said you want (${kindName(v.kind)})`;
    case 'avail_now': return zhl ? '你现在就能去上班' : 'You can start now';
    default: return null;
  }
}

// One to five stars from a score of 0-100.
export function fitStars(score) {
  const s = Number(score) || 0;
  return s >= 80 ? 5 : s >= 65 ? 4 : s >= 50 ? 3 : s >= 35 ? 2 : 1;
}
export function fitWord(stars) { return dicts[lang].fit[stars] || zh.fit[stars]; }

// Reasons the matching core gives against a job (a missing skill, too far…).
export function reasonIsNegative(code) {
  return /(missing|_low|expired|_far|unwilling|unwanted|^not_|closed|full|must_)/.test(code || '');
}
