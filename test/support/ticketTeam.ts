/** A team of two (alice, bob) that owns checkout, and an escalation policy that pages oncall. */
const user = (name: string) => `apiVersion: prodeng/v1\nkind: User\nmetadata: { name: ${name} }\nspec: { email: ${name}@example.com }\n`;

export const ticketTeamConfig = [
  ...['alice', 'bob', 'oncall'].map(user),
  `apiVersion: prodeng/v1
kind: Team
metadata: { name: shop }
spec: { members: [{ user: alice }, { user: bob }], escalationPolicy: shop-pages }
`,
  `apiVersion: prodeng/v1
kind: EscalationPolicy
metadata: { name: shop-pages }
spec: { steps: [{ delay: 5m, targets: [{ user: oncall }] }] }
`,
  `apiVersion: prodeng/v1
kind: Service
metadata: { name: checkout }
spec: { owner: shop, labels: { job: checkout } }
`,
].join('---\n');
