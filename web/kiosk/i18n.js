// Every word the kiosk shows, in Chinese (first) and English, and the
// formatting of wages, distances, dates and statuses.  Nothing the server
// sends is shown raw except names, titles, addresses and the reasons the
// matching core wrote in the language asked for.

const zh = {
  app_name: '乐业 · 找工作',
  lang_switch: 'English',
  speak: '朗读',
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
  jobs_hint: '最合适的排在前面',
  filter_kind: '工作类型',
  filter_dist: '距离',
  all: '全部',
  any_distance: '不限',
  within_km: (n) => `${n} 公里内`,
  no_jobs: '没有找到合适的工作。可以换个类型或距离再看看。',
  more_jobs: '看更多工作',
  details: '看详情',
  km: (n) => `${n} 公里`,
  km_unit: '公里',
  away: '距离',
  accommodation_yes: '包住宿',
  accommodation_no: '不包住宿',
  transport_yes: '有班车接送',
  match: '合适程度',
  why: '为什么推荐',
  places_left: (n) => `还招 ${n} 人`,
  start_date: '开始日期',
  contact_phone: '联系电话',
  employer: '用工单位',
  place: '地点',
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
  withdraw: '撤回报名',
  withdraw_confirm: '确定要撤回这个报名吗？',
  withdraw_yes: '确定撤回',
  withdraw_no: '不撤回',
  withdrawn_done: '已经撤回了。',
  // slip
  slip_title: '报名回执',
  slip_no: '回执编号',
  slip_date: '打印日期',
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
  prefs: '我的求职意愿',
  max_commute: '最远通勤',
  wage_floor: '最低工资',
  outside_county: '愿意到县外工作',
  outside_province: '愿意到省外工作',
  needs_accommodation: '需要住宿',
  kinds_wanted: '想做的工作类型',
  yes: '是',
  no: '否',
  current_job: '现在的工作',
  change_info: '信息不对或想修改？',
  change_where: (desk) => `请到 ${desk}，找工作人员帮你修改。`,
  kinds: {
    regular: '普通岗位', work_relief: '以工代赈', public_welfare: '公益性岗位',
    forest_ranger: '护林员', workshop: '帮扶车间', labor_export: '外出务工',
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
  away: 'Distance',
  accommodation_yes: 'Housing provided',
  accommodation_no: 'No housing',
  transport_yes: 'Work bus provided',
  match: 'How well it fits',
  why: 'Why we suggest it',
  places_left: (n) => `${n} place${n === 1 ? '' : 's'} left`,
  start_date: 'Starts',
  contact_phone: 'Phone',
  employer: 'Employer',
  place: 'Place',
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
  withdraw: 'Withdraw',
  withdraw_confirm: 'Do you want to withdraw this application?',
  withdraw_yes: 'Yes, withdraw',
  withdraw_no: 'No',
  withdrawn_done: 'Withdrawn.',
  slip_title: 'Application slip',
  slip_no: 'Slip number',
  slip_date: 'Printed on',
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
  max_commute: 'Furthest travel',
  wage_floor: 'Lowest pay',
  outside_county: 'Will work outside the county',
  outside_province: 'Will work outside the province',
  needs_accommodation: 'Needs housing',
  kinds_wanted: 'Kinds of job wanted',
  yes: 'Yes',
  no: 'No',
  current_job: 'Current job',
  change_info: 'Something wrong, or want to change it?',
  change_where: (desk) => `Please go to ${desk}: staff there will change it for you.`,
  kinds: {
    regular: 'Regular job', work_relief: 'Work-relief', public_welfare: 'Public-welfare post',
    forest_ranger: 'Forest ranger', workshop: 'Assistance workshop', labor_export: 'Work away from home',
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

// Reasons the matching core gives against a job (a missing skill, too far…).
export function reasonIsNegative(code) {
  return /(missing|_low|expired|_far|unwilling|unwanted|^not_|closed|full|must_)/.test(code || '');
}
