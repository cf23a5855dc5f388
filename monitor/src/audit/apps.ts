/**
 * The table of n8n's app nodes the audit recognises: which system each node talks to, its kind,
 * and which of its resource/operation pairs write. Defaults are n8n's own: a workflow's JSON leaves
 * out a parameter that still has its default, so an Asana node without `operation` creates a task.
 * The type names, resources and default operations were read from n8n-nodes-base 2.41.1
 * (dist/types/nodes.json); `legacy` holds the defaults of type versions below 2 where they differ.
 *
 * Exported API (stable):
 *   APPS, appForNode(type) → AppEntry | undefined, appForTrigger(type) → { id, name, kind } | undefined
 *   classifyOperation(app, node) → { resource?, operation, access, duplicates, effect }
 */

export interface AppEntry {
  /** System id the audit gives it (also the id a drafted contract uses). */
  id: string;
  name: string;
  /** The contract's `kind` vocabulary: crm, task_board, storage, cms, chat, email… */
  kind: string;
  /** The action node's type name without the package prefix. */
  node?: string;
  /** Trigger node type names without the package prefix. */
  triggers?: string[];
  /** Default resource, and the default operation of each resource ('*' when the node has no resources). */
  resource?: string;
  operations?: Record<string, string>;
  /** Defaults of type versions below 2, where they differ. */
  legacy?: { resource?: string; operations?: Record<string, string> };
  /** Writes are posts to people (chat, mail), not records: every resource, or the ones listed. */
  message?: true | string[];
}

export const APPS: AppEntry[] = [
  // CRMs
  {
    id: 'hubspot',
    name: 'HubSpot',
    kind: 'crm',
    node: 'hubspot',
    triggers: ['hubspotTrigger'],
    resource: 'contact',
    operations: {
      contact: 'upsert',
      contactList: 'add',
      company: 'create',
      deal: 'create',
      engagement: 'create',
      ticket: 'create',
      form: 'getFields',
    },
    legacy: { resource: 'deal' },
  },
  {
    id: 'pipedrive',
    name: 'Pipedrive',
    kind: 'crm',
    node: 'pipedrive',
    triggers: ['pipedriveTrigger'],
    resource: 'deal',
    operations: {
      activity: 'create',
      deal: 'create',
      dealActivity: 'getAll',
      dealProduct: 'add',
      file: 'create',
      lead: 'create',
      note: 'create',
      organization: 'create',
      person: 'create',
      product: 'create',
    },
    legacy: { operations: { product: 'getAll' } },
  },
  {
    id: 'salesforce',
    name: 'Salesforce',
    kind: 'crm',
    node: 'salesforce',
    triggers: ['salesforceTrigger'],
    resource: 'lead',
    operations: {
      lead: 'create',
      contact: 'create',
      customObject: 'create',
      document: 'upload',
      opportunity: 'create',
      account: 'create',
      search: 'query',
      case: 'create',
      task: 'create',
      attachment: 'create',
      user: 'get',
      flow: 'invoke',
    },
  },
  {
    id: 'zoho-crm',
    name: 'Zoho CRM',
    kind: 'crm',
    node: 'zohoCrm',
    resource: 'account',
    operations: {
      account: 'create',
      contact: 'create',
      deal: 'create',
      invoice: 'create',
      lead: 'create',
      product: 'create',
      purchaseOrder: 'create',
      quote: 'create',
      salesOrder: 'create',
      vendor: 'create',
    },
  },
  {
    id: 'activecampaign',
    name: 'ActiveCampaign',
    kind: 'crm',
    node: 'activeCampaign',
    triggers: ['activeCampaignTrigger'],
    resource: 'contact',
    operations: {
      account: 'create',
      contact: 'create',
      accountContact: 'create',
      contactList: 'add',
      contactTag: 'add',
      list: 'getAll',
      tag: 'create',
      deal: 'create',
      connection: 'create',
      ecommerceOrder: 'create',
      ecommerceCustomer: 'create',
      ecommerceOrderProducts: 'getAll',
    },
  },
  // Task boards
  {
    id: 'asana',
    name: 'Asana',
    kind: 'task_board',
    node: 'asana',
    triggers: ['asanaTrigger'],
    resource: 'task',
    operations: { subtask: 'create', task: 'create', taskComment: 'add', taskProject: 'add', taskTag: 'add', user: 'get', project: 'get' },
  },
  {
    id: 'clickup',
    name: 'ClickUp',
    kind: 'task_board',
    node: 'clickUp',
    triggers: ['clickUpTrigger'],
    resource: 'task',
    operations: {
      checklist: 'create',
      checklistItem: 'create',
      comment: 'create',
      folder: 'create',
      goal: 'create',
      goalKeyResult: 'create',
      taskTag: 'add',
      taskList: 'add',
      spaceTag: 'create',
      task: 'create',
      taskDependency: 'create',
      timeEntry: 'create',
      timeEntryTag: 'add',
      list: 'customFields',
    },
  },
  {
    id: 'jira',
    name: 'Jira',
    kind: 'task_board',
    node: 'jira',
    triggers: ['jiraTrigger'],
    resource: 'issue',
    operations: { issue: 'create', issueAttachment: 'add', issueComment: 'add', user: 'create' },
  },
  {
    id: 'trello',
    name: 'Trello',
    kind: 'task_board',
    node: 'trello',
    triggers: ['trelloTrigger'],
    resource: 'card',
    operations: {
      attachment: 'getAll',
      board: 'create',
      boardMember: 'add',
      card: 'create',
      cardComment: 'create',
      checklist: 'getAll',
      label: 'getAll',
      list: 'create',
    },
  },
  {
    id: 'monday',
    name: 'Monday.com',
    kind: 'task_board',
    node: 'mondayCom',
    resource: 'board',
    operations: { board: 'create', boardColumn: 'create', boardGroup: 'create', boardItem: 'create' },
  },
  {
    id: 'todoist',
    name: 'Todoist',
    kind: 'task_board',
    node: 'todoist',
    resource: 'task',
    operations: { task: 'create', project: 'create', section: 'create', comment: 'create', label: 'create', reminder: 'create' },
  },
  {
    id: 'linear',
    name: 'Linear',
    kind: 'task_board',
    node: 'linear',
    triggers: ['linearTrigger'],
    resource: 'issue',
    operations: { comment: 'addComment', issue: 'create' },
  },
  // Files and documents
  {
    id: 'google-drive',
    name: 'Google Drive',
    kind: 'storage',
    node: 'googleDrive',
    triggers: ['googleDriveTrigger'],
    resource: 'file',
    operations: { file: 'upload', folder: 'create', drive: 'create', fileFolder: 'search' },
  },
  {
    id: 'dropbox',
    name: 'Dropbox',
    kind: 'storage',
    node: 'dropbox',
    resource: 'file',
    operations: { file: 'upload', folder: 'create', search: 'query' },
  },
  {
    id: 'box',
    name: 'Box',
    kind: 'storage',
    node: 'box',
    triggers: ['boxTrigger'],
    resource: 'file',
    operations: { file: 'upload', folder: 'create' },
  },
  {
    id: 'onedrive',
    name: 'OneDrive',
    kind: 'storage',
    node: 'microsoftOneDrive',
    triggers: ['microsoftOneDriveTrigger'],
    resource: 'file',
    operations: { file: 'upload', folder: 'getChildren' },
  },
  { id: 'google-docs', name: 'Google Docs', kind: 'docs', node: 'googleDocs', resource: 'document', operations: { document: 'create' } },
  {
    id: 'notion',
    name: 'Notion',
    kind: 'docs',
    node: 'notion',
    triggers: ['notionTrigger'],
    resource: 'page',
    operations: { block: 'append', database: 'get', dataSource: 'get', databasePage: 'create', page: 'create', user: 'get' },
  },
  {
    id: 'airtable',
    name: 'Airtable',
    kind: 'database',
    node: 'airtable',
    triggers: ['airtableTrigger'],
    resource: 'record',
    operations: { record: 'get', base: 'getMany' },
    legacy: { resource: '*', operations: { '*': 'read' } },
  },
  {
    id: 'google-sheets',
    name: 'Google Sheets',
    kind: 'spreadsheet',
    node: 'googleSheets',
    triggers: ['googleSheetsTrigger'],
    resource: 'sheet',
    operations: { sheet: 'read', spreadsheet: 'create' },
  },
  {
    id: 'excel',
    name: 'Microsoft Excel',
    kind: 'spreadsheet',
    node: 'microsoftExcel',
    resource: 'workbook',
    operations: { table: 'append', workbook: 'getAll', worksheet: 'getAll' },
    legacy: { operations: { workbook: 'create', worksheet: 'create', table: 'addRow' } },
  },
  // CMS
  {
    id: 'wordpress',
    name: 'WordPress',
    kind: 'cms',
    node: 'wordpress',
    resource: 'post',
    operations: { post: 'create', page: 'create', user: 'create' },
  },
  {
    id: 'webflow',
    name: 'Webflow',
    kind: 'cms',
    node: 'webflow',
    triggers: ['webflowTrigger'],
    resource: 'item',
    operations: { item: 'get' },
  },
  // Chat and mail: writes are messages
  {
    id: 'slack',
    name: 'Slack',
    kind: 'chat',
    node: 'slack',
    triggers: ['slackTrigger'],
    resource: 'message',
    message: true,
    operations: {
      channel: 'create',
      message: 'post',
      star: 'add',
      file: 'upload',
      reaction: 'add',
      user: 'info',
      userGroup: 'create',
      userProfile: 'get',
    },
  },
  {
    id: 'microsoft-teams',
    name: 'Microsoft Teams',
    kind: 'chat',
    node: 'microsoftTeams',
    triggers: ['microsoftTeamsTrigger'],
    resource: 'channel',
    message: ['channelMessage', 'chatMessage', 'chat'],
    operations: {
      channel: 'create',
      channelMessage: 'create',
      chat: 'create',
      chatMember: 'getAll',
      chatMessage: 'create',
      onlineMeeting: 'create',
      task: 'create',
    },
  },
  {
    id: 'discord',
    name: 'Discord',
    kind: 'chat',
    node: 'discord',
    resource: 'channel',
    message: true,
    operations: { message: 'send', channel: 'create', member: 'getAll', '*': 'sendLegacy' },
    legacy: { resource: '*', operations: { '*': 'send' } },
  },
  {
    id: 'telegram',
    name: 'Telegram',
    kind: 'chat',
    node: 'telegram',
    triggers: ['telegramTrigger'],
    resource: 'message',
    message: true,
    operations: { chat: 'get', callback: 'answerQuery', file: 'get', message: 'sendMessage' },
  },
  {
    id: 'mattermost',
    name: 'Mattermost',
    kind: 'chat',
    node: 'mattermost',
    resource: 'message',
    message: true,
    operations: { channel: 'create', message: 'post', reaction: 'create' },
  },
  {
    id: 'rocketchat',
    name: 'Rocket.Chat',
    kind: 'chat',
    node: 'rocketchat',
    resource: 'chat',
    message: true,
    operations: { chat: 'postMessage', subscriptions: 'get', dm: 'messages' },
  },
  {
    id: 'gmail',
    name: 'Gmail',
    kind: 'email',
    node: 'gmail',
    triggers: ['gmailTrigger'],
    resource: 'message',
    message: true,
    operations: { draft: 'create', label: 'getAll', message: 'send', thread: 'getAll' },
    legacy: { resource: 'draft', operations: { label: 'create', messageLabel: 'add' } },
  },
  {
    id: 'outlook',
    name: 'Microsoft Outlook',
    kind: 'email',
    node: 'microsoftOutlook',
    triggers: ['microsoftOutlookTrigger'],
    resource: 'message',
    message: ['message', 'draft', 'messageAttachment'],
    operations: {
      calendar: 'getAll',
      contact: 'getAll',
      draft: 'create',
      event: 'getAll',
      folder: 'create',
      folderMessage: 'getAll',
      message: 'send',
      messageAttachment: 'add',
    },
  },
  {
    id: 'email',
    name: 'Email (SMTP)',
    kind: 'email',
    node: 'emailSend',
    resource: 'email',
    message: true,
    operations: { email: 'send' },
    legacy: { resource: '*', operations: { '*': 'send' } },
  },
  // Money, support, shops, calendars, code
  {
    id: 'stripe',
    name: 'Stripe',
    kind: 'payments',
    node: 'stripe',
    triggers: ['stripeTrigger'],
    resource: 'balance',
    operations: {
      balance: 'get',
      customerCard: 'get',
      charge: 'get',
      coupon: 'create',
      customer: 'get',
      meterEvent: 'create',
      source: 'get',
      token: 'create',
    },
  },
  {
    id: 'quickbooks',
    name: 'QuickBooks',
    kind: 'invoicing',
    node: 'quickbooks',
    resource: 'customer',
    operations: {
      bill: 'get',
      customer: 'get',
      employee: 'get',
      estimate: 'get',
      invoice: 'get',
      item: 'get',
      payment: 'get',
      purchase: 'get',
      transaction: 'getReport',
      vendor: 'get',
    },
  },
  { id: 'xero', name: 'Xero', kind: 'invoicing', node: 'xero', resource: 'invoice', operations: { contact: 'create', invoice: 'create' } },
  {
    id: 'zendesk',
    name: 'Zendesk',
    kind: 'support',
    node: 'zendesk',
    triggers: ['zendeskTrigger'],
    resource: 'ticket',
    operations: { ticket: 'create', ticketField: 'get', user: 'create', organization: 'create' },
  },
  {
    id: 'freshdesk',
    name: 'Freshdesk',
    kind: 'support',
    node: 'freshdesk',
    resource: 'ticket',
    operations: { ticket: 'create', contact: 'create' },
  },
  {
    id: 'shopify',
    name: 'Shopify',
    kind: 'shop',
    node: 'shopify',
    triggers: ['shopifyTrigger'],
    resource: 'order',
    operations: { order: 'create', product: 'create' },
  },
  {
    id: 'woocommerce',
    name: 'WooCommerce',
    kind: 'shop',
    node: 'wooCommerce',
    triggers: ['wooCommerceTrigger'],
    resource: 'product',
    operations: { customer: 'create', product: 'create', order: 'create' },
  },
  {
    id: 'google-calendar',
    name: 'Google Calendar',
    kind: 'calendar',
    node: 'googleCalendar',
    triggers: ['googleCalendarTrigger'],
    resource: 'event',
    operations: { calendar: 'availability', event: 'create' },
  },
  {
    id: 'github',
    name: 'GitHub',
    kind: 'dev',
    node: 'github',
    triggers: ['githubTrigger'],
    resource: 'issue',
    operations: {
      organization: 'getRepositories',
      pullRequest: 'create',
      issue: 'create',
      file: 'create',
      repository: 'getIssues',
      user: 'getRepositories',
      release: 'create',
      review: 'create',
      workflow: 'dispatch',
    },
  },
  {
    id: 'mailchimp',
    name: 'Mailchimp',
    kind: 'marketing',
    node: 'mailchimp',
    triggers: ['mailchimpTrigger'],
    resource: 'member',
    operations: { member: 'create', memberTag: 'create', listGroup: 'getAll', campaign: 'getAll' },
  },
  {
    id: 'harvest',
    name: 'Harvest',
    kind: 'time_tracking',
    node: 'harvest',
    resource: 'task',
    operations: {
      client: 'getAll',
      company: 'get',
      contact: 'getAll',
      estimate: 'getAll',
      expense: 'getAll',
      invoice: 'getAll',
      project: 'getAll',
      task: 'getAll',
      timeEntry: 'getAll',
      user: 'me',
    },
  },
  // Trigger-only sources (forms, scheduling)
  { id: 'typeform', name: 'Typeform', kind: 'forms', triggers: ['typeformTrigger'] },
  { id: 'jotform', name: 'Jotform', kind: 'forms', triggers: ['jotFormTrigger'] },
  { id: 'calendly', name: 'Calendly', kind: 'scheduling', triggers: ['calendlyTrigger'] },
];

const PREFIXES = ['n8n-nodes-base.', '@n8n/n8n-nodes-base.'];
const short = (type: string) => PREFIXES.reduce((t, p) => (t.startsWith(p) ? t.slice(p.length) : t), type);

const byNode = new Map(APPS.filter((a) => a.node).map((a) => [a.node!, a]));
const byTrigger = new Map(APPS.flatMap((a) => (a.triggers ?? []).map((t) => [t, a] as const)));

export function appForNode(type: string): AppEntry | undefined {
  return byNode.get(short(type));
}

/** The app a trigger listens to; an unknown `…Trigger` of n8n-nodes-base is named after its type. */
export function appForTrigger(type: string): { id: string; name: string; kind: string } | undefined {
  const s = short(type);
  const known = byTrigger.get(s);
  if (known) return known;
  if (!s.endsWith('Trigger') || s === type) return undefined;
  const base = s.slice(0, -'Trigger'.length);
  if (!base || GENERIC_TRIGGERS.has(s)) return undefined;
  const id = base.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return { id, name: base.charAt(0).toUpperCase() + base.slice(1), kind: 'other' };
}

/** n8n-nodes-base triggers that are not an app: the audit gives them their own trigger kinds. */
export const GENERIC_TRIGGERS = new Set([
  'webhookTrigger',
  'scheduleTrigger',
  'manualTrigger',
  'errorTrigger',
  'executeWorkflowTrigger',
  'formTrigger',
  'n8nTrigger',
  'workflowTrigger',
  'localFileTrigger',
  'emailReadImapTrigger',
  'sseTrigger',
  'mcpTrigger',
  'chatTrigger',
  'evaluationTrigger',
]);

/**
 * Operations that only read. Everything else an app node does writes. Taken from the operation
 * values of the apps above (get…, search…, list…, download, lookup, query and the odd ones).
 */
const READ =
  /^(get|search|list|read|download|lookup|query|info|history|replies|member|changelog|transitions|administrators|availability|completedCheckItems|count|customFields|me|messages|statistics|users)/;
/** Writes whose repeat makes a second object: a retry or a redelivery doubles them. */
const CREATES =
  /^(create|add|append|post|send|upload|copy|duplicate|reply|submit|dispatch|invoke|schedule|quickAdd|replicate|answer|react|invite|start|merge)/;
/** …except these, which name their object or settle on one (createOrGet, appendOrUpdate, addLabels). */
const SETTLES = /(OrGet|OrUpdate|Labels?|ToCampaign)$/;

export interface OperationInfo {
  resource?: string;
  operation: string;
  access: 'read' | 'write';
  duplicates: boolean;
  effect: 'record' | 'message';
}

export function classifyOperation(app: AppEntry, node: { typeVersion?: number; parameters?: Record<string, unknown> }): OperationInfo {
  const p = node.parameters ?? {};
  const legacy = (node.typeVersion ?? 1) < 2 ? app.legacy : undefined;
  const resource = typeof p.resource === 'string' ? p.resource : (legacy?.resource ?? app.resource ?? '*');
  const defaults = { ...(app.operations ?? {}), ...(legacy?.operations ?? {}) };
  const operation = typeof p.operation === 'string' ? p.operation : (defaults[resource] ?? defaults['*'] ?? 'unknown');
  // An expression chooses the operation at run time: assume the worst (a write that can double).
  const dynamic = operation.startsWith('=');
  const access = !dynamic && READ.test(operation) ? 'read' : 'write';
  const duplicates = access === 'write' && (dynamic || (CREATES.test(operation) && !SETTLES.test(operation)));
  const message = app.message === true || (Array.isArray(app.message) && app.message.includes(resource));
  return { resource: resource === '*' ? undefined : resource, operation, access, duplicates, effect: message ? 'message' : 'record' };
}

export function shortType(type: string): string {
  return short(type);
}
